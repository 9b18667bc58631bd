import {
	NodeConnectionTypes,
	NodeOperationError,
	type INodeType,
	type INodeTypeDescription,
	type ISupplyDataFunctions,
	type SupplyData,
} from 'n8n-workflow';

import { searchModels } from '../shared/methods/models';
import { readCredentials } from '../shared/node/credentials';
import { nodeEdgeError } from '../shared/node/edge-error';
import { modelProperty } from '../shared/node/properties';
import { readModelSettings, type Fail } from '../shared/node/settings';
import { egressFilterOf } from '../shared/transport/egress';
import { connectionHint, modelOptionsProperty, searchModeNotice } from './properties';
import { fitStructuredOutput } from './structured-output';
import { fitAdapter } from './tools/adapter-fixes';

type Sdk = typeof import('@n8n/ai-node-sdk');

/**
 * n8n ≥ 2.16 ships @n8n/ai-node-sdk and n8n puts it on the module path of community packages.
 * It is required here, at run time, and not at the top of the file: n8n 1.x has no such
 * package, and this file must still load there so the package's other nodes work.
 */
function loadSdk(ctx: ISupplyDataFunctions): Sdk {
	try {
		return require('@n8n/ai-node-sdk') as Sdk;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'Slier Chat Model needs n8n 2.16 or newer', {
			description:
				"This n8n has no @n8n/ai-node-sdk, n8n's kit for community chat models. Update n8n, or use the Slier Chat node (it works on every n8n version).",
		});
	}
}

export class LmChatSlier implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slier Chat Model',
		name: 'lmChatSlier',
		icon: { light: 'file:../../icons/slier.svg', dark: 'file:../../icons/slier.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["options"].searchMode ? "Slier Search" : "Model: " + ($parameter["model"].cachedResultName || $parameter["model"].value || $parameter["model"]) }}',
		description:
			'Slier as the language model of an AI Agent, Basic LLM Chain, Summarization Chain or other AI node; optionally answering from the web with Slier Search',
		defaults: { name: 'Slier Chat Model' },
		// A sub-node: no main input, its output plugs into an AI node, as n8n's own chat models.
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'slierApi', required: true }],
		properties: [connectionHint, modelProperty, searchModeNotice, modelOptionsProperty],
	};

	methods = { listSearch: { searchModels } };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		try {
			return await supplySlierModel(this, itemIndex);
		} catch (error) {
			throw nodeEdgeError(this.getNode(), error);
		}
	}
}

/** The model the AI node will call, for its item `itemIndex`. */
async function supplySlierModel(ctx: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
	const sdk = loadSdk(ctx);
	const fail: Fail = (problem, fix) => new NodeOperationError(ctx.getNode(), problem, { description: fix, itemIndex });
	const settings = readModelSettings(ctx, itemIndex, fail);
	const credentials = await readCredentials(ctx);
	// Only now: the model class extends the SDK's BaseChatModel, which 1.x cannot load.
	const { SlierChatModel } = await import('./SlierChatModel');
	const model = new SlierChatModel({
		node: ctx.getNode(),
		credentials,
		settings,
		cancelSignal: ctx.getExecutionCancelSignal?.(),
		egress: egressFilterOf(ctx),
		warn: (message) => ctx.logger.warn(message),
	});
	// Local token counts, Slier's token counts for streamed calls too, a clear error for images.
	const supplied = sdk.supplyModel(ctx, model);
	fitAdapter(supplied.response, ctx.getNode());
	// Structured output (Evaluation's AI metrics) that reads the adapter's whole messages too.
	fitStructuredOutput(supplied.response);
	return supplied;
}
