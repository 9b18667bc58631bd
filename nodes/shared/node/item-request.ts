import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { CompletionRequest, Endpoint } from '../completion/types';
import { inputError } from './errors';
import { readMessages } from './messages';
import type { ParamReader } from './param-reader';
import { checkApiVersion, checkModel, checkModelParams, readItemSettings, type Fail, type ItemSettings, type ModelParamValues } from './settings';

export interface ItemRequest {
	completion: CompletionRequest;
	settings: ItemSettings;
	/** The item's Options as set, for a node's own options (Search's Strip Citation Markers). */
	options: IDataObject;
}

/** Reads one item's parameters into a request, checking them before this item is sent. */
export function readItemRequest(
	ctx: IExecuteFunctions,
	params: ParamReader,
	i: number,
	endpoint: Endpoint,
): ItemRequest {
	const fail: Fail = (problem, fix) => inputError(ctx, i, problem, fix);
	const options = params.get('options', i, {}) as IDataObject;
	const settings = readItemSettings(options, fail);
	const body: CompletionRequest['body'] = {
		messages: readMessages(ctx, params, i),
		stream: params.get('stream', i, false) === true,
	};
	if (endpoint === 'chat') {
		body.model = checkModel(params.get('model', i, '', { extractValue: true }), fail);
		const values = params.get('modelParams', i, {}) as ModelParamValues;
		const modelParams = checkModelParams(values, 'Model Parameters', 'Extra Parameters (JSON)', fail);
		if (modelParams) body.model_params = modelParams;
	}
	const apiVersion = checkApiVersion(options.apiVersion, fail);
	const thoughtStartsOpen = options.thoughtStartsOpen === true;
	return { completion: { endpoint, apiVersion, body, ...(thoughtStartsOpen ? { thoughtStartsOpen } : {}) }, settings, options };
}
