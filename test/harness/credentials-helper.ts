import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestOptions,
	INodeCredentialsDetails,
	INodeProperties,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/** Serves credential data to nodes as n8n does: the credential type's defaults filled in. */
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

	async authenticate(): Promise<IHttpRequestOptions> {
		throw new Error('not used: the Slier nodes authenticate in their own transport');
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
