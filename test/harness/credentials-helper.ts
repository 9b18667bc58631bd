import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestOptions,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/**
 * Serves credential data to nodes as n8n does: the credential type's defaults filled in, and its
 * generic `authenticate` block applied to requests. Values are kept as the test sets them.
 */
export class CredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const auth = this.types[typeName]?.authenticate;
		const options = requestOptions as IHttpRequestOptions;
		if (auth && typeof auth === 'object' && auth.type === 'generic') {
			const headers = (auth.properties.headers ?? {}) as Record<string, string>;
			options.headers = { ...options.headers };
			for (const [name, template] of Object.entries(headers)) {
				options.headers[name] = resolveCredentialTemplate(template, credentials);
			}
		}
		return options;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these nodes');
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: INodeCredentialsDetails, type: string) {
		const defaults: ICredentialDataDecryptedObject = {};
		for (const prop of this.types[type]?.properties ?? []) defaults[prop.name] = prop.default as string;
		return { ...defaults, ...(this.data[type] ?? {}) };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}
}

/** Resolves `={{$credentials.x}}`-style templates, the only kind the Slier credential uses. */
export function resolveCredentialTemplate(template: string, credentials: ICredentialDataDecryptedObject): string {
	const body = template.startsWith('=') ? template.slice(1) : template;
	return body.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? ''));
}
