import { NodeOperationError, type IDataObject, type ISupplyDataFunctions } from 'n8n-workflow';

import type { ApiVersion } from '../shared/completion/types';
import { checkApiVersion, checkMaxRetries, checkModel, checkModelParams, checkTimeout, type Fail } from '../shared/node/setting-checks';

/** What the panel decided for every call the AI node makes through this model. */
export interface ModelSettings {
	/** Empty in search mode: Slier Search takes no model. */
	model: string;
	searchMode: boolean;
	stripCitations: boolean;
	apiVersion: ApiVersion;
	timeoutMs: number;
	maxRetries: number;
	modelParams?: Record<string, unknown>;
	/** How an AI Agent's tools reach the model: described in the prompt (the default), native, or refused. */
	toolCalling?: ToolCalling;
}

export type ToolCalling = 'prompt' | 'native' | 'off';

/**
 * Reads and checks the panel once, in supplyData, so a bad value fails before any request. The
 * checks are the item nodes' own (setting-checks.ts): the same values pass, with the same words.
 */
export function readModelSettings(ctx: ISupplyDataFunctions, itemIndex: number): ModelSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const fail: Fail = (message, fix) => new NodeOperationError(ctx.getNode(), message, { description: fix, itemIndex });
	const searchMode = options.searchMode === true;
	const model = searchMode ? '' : checkModel(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }), fail);
	const apiVersion = checkApiVersion(options.apiVersion, fail);
	const timeoutMs = checkTimeout(options.timeout, fail);
	const maxRetries = checkMaxRetries(options.maxRetries, fail);
	const modelParams = checkModelParams(options, 'Options', 'Extra Model Parameters (JSON)', fail);
	const toolCalling = options.toolCalling ?? 'prompt';
	if (toolCalling !== 'prompt' && toolCalling !== 'native' && toolCalling !== 'off') {
		throw fail(`Tool Calling "${String(toolCalling)}" is not an option`, 'Choose Prompt, Native or Off under Options → Tool Calling.');
	}
	return {
		model,
		searchMode,
		stripCitations: options.stripCitations === true,
		apiVersion,
		timeoutMs,
		maxRetries,
		// Slier Search takes no model parameters.
		modelParams: searchMode ? undefined : modelParams,
		toolCalling,
	};
}
