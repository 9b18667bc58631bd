import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { complete, type Connection } from '../completion/complete';
import type { Answer, Endpoint } from '../completion/types';
import { SlierError } from '../transport/errors';
import { RunGate, sharedLimiter, type Gate } from '../transport/limiter';
import { toNodeError } from './api-error';
import { ChunkStream } from './chunk-stream';
import { readCredentials, type SlierCredentials } from './connection';
import { readItemRequest, type ItemSettings } from './item-request';
import { ParamReader } from './param-reader';
import { toOutputJson } from './output';
import { DEFAULT_MAX_CONCURRENCY } from './properties';
import { linkedSignal } from './signals';

/** Endpoint-specific fields for the output item (Search's citations); may rewrite the answer. */
export type Enrich = (answer: Answer, settings: ItemSettings) => IDataObject;

interface RunContext {
	ctx: IExecuteFunctions;
	endpoint: Endpoint;
	credentials: SlierCredentials;
	signal: AbortSignal;
	limiter: Gate;
	params: ParamReader;
	enrich?: Enrich;
}

/**
 * The item loop both nodes share: one request per input item, one output item per input item,
 * in input order, each paired to its input. Items run concurrently (Max Concurrent Requests
 * workers) under a limit shared with every run against the same provider, which adapts to 429s.
 * With Continue On Fail a failed item becomes `{error}` and the others go on; without it the
 * first failure stops the node and cancels the requests still in flight.
 */
export async function runCompletions(
	ctx: IExecuteFunctions,
	endpoint: Endpoint,
	enrich?: Enrich,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	let credentials: SlierCredentials;
	try {
		credentials = await readCredentials(ctx);
	} catch (error) {
		if (!continueOnFail) throw error;
		return items.map((_, i) => ({ json: { error: (error as Error).message }, pairedItem: { item: i } }));
	}

	const maxConcurrency = readMaxConcurrency(ctx, items.length);
	const stop = linkedSignal(ctx.getExecutionCancelSignal?.());
	const run: RunContext = {
		ctx,
		endpoint,
		credentials,
		signal: stop.signal,
		// The run gate bounds this run to Max Concurrent Requests; the shared limiter bounds all runs
		// against this provider together and learns its cap.
		limiter: new RunGate(maxConcurrency, sharedLimiter(credentials.baseUrl, credentials.apiKey)),
		params: new ParamReader(ctx),
		enrich,
	};
	const output: INodeExecutionData[] = new Array(items.length);
	let failure: unknown;
	let next = 0;

	const worker = async () => {
		while (failure === undefined && next < items.length && !stop.signal.aborted) {
			const i = next++;
			try {
				output[i] = { json: await runItem(run, i), pairedItem: { item: i } };
			} catch (error) {
				if (stop.cancelledFromOutside() || !continueOnFail) {
					failure ??= error;
					stop.abort(); // no use finishing the others: the node fails
					return;
				}
				output[i] = { json: { error: (error as Error).message }, pairedItem: { item: i } };
			}
		}
	};
	try {
		// Twice as many workers as requests allowed: an item waiting to retry holds a worker but no
		// request slot (RunGate), so the others keep Max Concurrent Requests in flight.
		await Promise.all(Array.from({ length: Math.min(2 * maxConcurrency, items.length) }, worker));
	} finally {
		stop.dispose();
	}
	if (failure !== undefined) throw failure;
	return output;
}

/** Max Concurrent Requests, read once per run (from the first item) since it shapes the run. */
function readMaxConcurrency(ctx: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return 1;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const value = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64) {
		throw new NodeOperationError(ctx.getNode(), `Max Concurrent Requests is ${String(value)}`, {
			description: 'Set Options → Max Concurrent Requests to a whole number from 1 to 64.',
		});
	}
	return value;
}

async function runItem(run: RunContext, i: number): Promise<IDataObject> {
	const { ctx, endpoint } = run;
	const { completion, settings } = readItemRequest(ctx, run.params, i, endpoint);
	const connection: Connection = {
		...run.credentials,
		timeoutMs: settings.timeoutMs,
		maxRetries: settings.maxRetries,
		signal: run.signal,
	};
	const chunks = ChunkStream.open(ctx, i, completion.body.stream);
	let answer: Answer;
	try {
		answer = await complete(connection, completion, {
			gate: run.limiter,
			onText: chunks && ((delta) => chunks.send('item', delta)),
			onRetry: ({ attempt, delayMs, reason }) =>
				ctx.logger.warn(`Slier ${endpoint}: item ${i} retry ${attempt} in ${delayMs} ms (${reason})`),
		});
	} catch (caught) {
		const error = caught instanceof SlierError ? toNodeError(ctx.getNode(), caught, i, settings, completion.body.model) : caught;
		await chunks?.close(error as Error);
		throw error;
	}
	await chunks?.close();
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
	return toOutputJson(answer, settings, run.enrich?.(answer, settings));
}
