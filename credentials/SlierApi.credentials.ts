import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class SlierApi implements ICredentialType {
	name = 'slierApi';

	displayName = 'Slier API';

	icon: Icon = { light: 'file:../icons/slier.svg', dark: 'file:../icons/slier.dark.svg' };

	documentationUrl = 'https://github.com/slier-ai/n8n-nodes-slier#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Slier API key. It is sent as a Bearer token and never shown in outputs or errors.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.slier.ai',
			description:
				'Change only for a proxy or the local Slier emulator (npm run emulator), e.g. http://127.0.0.1:8787. Use https:// for any host but this machine: over plain http:// the API key travels unencrypted.',
			hint: 'A plain http:// address to another host sends the API key in clear text: use https://',
		},
	];

	// The nodes call Slier through their own transport; this is what n8n uses to test the credential.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				// Trimmed as the nodes trim it: a key pasted with a line break passes the test as it works.
				Authorization: '=Bearer {{$credentials.apiKey.trim()}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// The same normalization as the nodes (normalizeBaseUrl): stray spaces and slashes, and a
			// pasted /v1 or /v2, are dropped, since the path below carries the version.
			baseURL: '={{$credentials.baseUrl.trim().replace(/\\/+$/, "").replace(/\\/v[12]$/i, "").replace(/\\/+$/, "")}}',
			url: '/v1/models',
			method: 'GET',
		},
	};
}
