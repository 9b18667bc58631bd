import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { complete, type Connection } from '../completion/complete';
import type { Answer, Endpoint } from '../completion/types';
import { SlierError } from '../transport/errors';
import { toNodeError } from './api-error';
import { readCredentials, type SlierCredentials } from './connection';
import { readItemRequest, type ItemSettings } from './item-request';
import { toOutputJson } from './output';

/** Endpoint-specific fields for the output item (Search's citations); may rewrite the answer. */
export type Enrich = (answer: Answer, settings: ItemSettings) => IDataObject;

/**
 * The item loop both nodes share: one request per input item, one output item per input item,
 * in order, each paired to its input. With Continue On Fail a failed item becomes
 * `{error}` and the others go on.
 */
export async function runCompletions(
	ctx: IExecuteFunctions,
	endpoint: Endpoint,
	enrich?: Enrich,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const signal = ctx.getExecutionCancelSignal?.();
	let credentials: SlierCredentials | undefined;
	let credentialError: unknown;
	try {
		credentials = await readCredentials(ctx);
	} catch (error) {
		if (!ctx.continueOnFail()) throw error;
		credentialError = error;
	}

	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			if (!credentials) throw credentialError;
			const json = await runItem(ctx, i, endpoint, credentials, signal, enrich);
			output.push({ json, pairedItem: { item: i } });
		} catch (error) {
			if (signal?.aborted || !ctx.continueOnFail()) throw error;
			output.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
		}
	}
	return output;
}

async function runItem(
	ctx: IExecuteFunctions,
	i: number,
	endpoint: Endpoint,
	credentials: SlierCredentials,
	signal: AbortSignal | undefined,
	enrich?: Enrich,
): Promise<IDataObject> {
	const { completion, settings } = readItemRequest(ctx, i, endpoint);
	const connection: Connection = {
		...credentials,
		timeoutMs: settings.timeoutMs,
		maxRetries: settings.maxRetries,
		signal,
	};
	let answer: Answer;
	try {
		answer = await complete(connection, completion, {
			onRetry: ({ attempt, delayMs, reason }) =>
				ctx.logger.warn(`Slier ${endpoint}: item ${i} retry ${attempt} in ${delayMs} ms (${reason})`),
		});
	} catch (error) {
		if (error instanceof SlierError) {
			throw toNodeError(ctx.getNode(), error, i, settings, completion.body.model);
		}
		throw error;
	}
	if (answer.filtered && settings.onContentFilter === 'error') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Slier's content filter refused to answer (item ${i})${answer.filter?.message ? `: ${answer.filter.message}` : ''}`,
			{
				itemIndex: i,
				description:
					'Rephrase the messages, or set Options → On Content Filter to "Output Filtered Item" to get an item with filtered: true instead of an error.',
			},
		);
	}
	return toOutputJson(answer, settings, enrich?.(answer, settings));
}
