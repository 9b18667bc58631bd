import {
	ExecutionBaseError,
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { streamCompletion } from '../completion/complete';
import { CitationStripper } from '../completion/citations';
import { searchFields } from '../completion/search-fields';
import type { Answer, Endpoint } from '../completion/types';
import { egressFilterOf, type EgressFilter } from '../transport/egress';
import { SlierError } from '../transport/errors';
import { linkedSignal } from '../transport/signals';
import { RunGate, type Gate } from '../transport/limiter';
import { providerGate } from '../transport/shared-limit/provider-gate';
import { logSharedLimit } from './shared-limit-log';
import { invalidJsonError, readJsonAnswer } from './answer-json';
import { contentFilterWords } from './error-words';
import { errorTypeOf, nodeEdgeError, nodeErrorFrom, toNodeError, unexpectedNodeError } from './errors';
import { ChunkStream } from './chunk-stream';
import { connectionOf, readCredentials, type SlierCredentials } from './credentials';
import { readItemRequest } from './item-request';
import { ParamReader } from './param-reader';
import { toFailedJson, toOutputJson, withInputFields } from './output';
import { checkMaxConcurrency } from './settings';

interface RunContext {
	ctx: IExecuteFunctions;
	endpoint: Endpoint;
	credentials: SlierCredentials;
	signal: AbortSignal;
	/** n8n's SSRF policy (2.x), asked for once per run: it is the same for every item. */
	egress: EgressFilter | undefined;
	limiter: Gate;
	params: ParamReader;
	items: INodeExecutionData[];
}

/**
 * The item loop both nodes share: one request per input item, one output item per input item,
 * in input order, each paired to its input. Items run concurrently (Max Concurrent Requests
 * workers) under a limit shared with every run against the same provider, which adapts to 429s.
 * With Continue On Fail a failed item becomes `{error, errorType}` and the others go on; without
 * it the first failure stops the node and cancels the requests still in flight. A cancelled
 * execution stops the node with an error: it never returns a partial output.
 */
export async function runCompletions(
	ctx: IExecuteFunctions,
	endpoint: Endpoint,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const params = new ParamReader(ctx);
	let credentials: SlierCredentials;
	try {
		credentials = await readCredentials(ctx);
	} catch (error) {
		if (!continueOnFail) throw nodeEdgeError(ctx.getNode(), error);
		return items.map((_, i) => failedItem(ctx, params, items, i, error));
	}

	const maxConcurrency = readMaxConcurrency(ctx, items.length);
	const stop = linkedSignal(ctx.getExecutionCancelSignal?.());
	const run: RunContext = {
		ctx,
		endpoint,
		credentials,
		signal: stop.signal,
		egress: egressFilterOf(ctx),
		// The run gate bounds this run to Max Concurrent Requests; the shared limiter bounds all runs
		// against this provider together (in queue mode: on every worker) and learns its cap.
		limiter: new RunGate(
			maxConcurrency,
			providerGate(credentials.baseUrl, credentials.apiKey, (event) => logSharedLimit(ctx.logger, event)),
		),
		params,
		items,
	};
	const output: INodeExecutionData[] = new Array(items.length);
	let failure: unknown;
	let next = 0;

	const worker = async () => {
		while (failure === undefined && next < items.length && !stop.signal.aborted) {
			const i = next++;
			try {
				output[i] = { json: await runItem(run, i), pairedItem: { item: i } };
			} catch (caught) {
				const error = asKnownError(ctx, caught, i, credentials.apiKey);
				if (stop.cancelledFromOutside() || !continueOnFail) {
					failure ??= error;
					stop.abort(); // no use finishing the others: the node fails
					return;
				}
				output[i] = failedItem(ctx, params, items, i, error);
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
	// Only a cancel between two items leaves one unanswered: n8n must never get a hole.
	const unanswered = output.findIndex((item) => item === undefined);
	if (unanswered >= 0) {
		throw new NodeOperationError(ctx.getNode(), `The workflow execution was canceled before item ${unanswered} was answered`, {
			itemIndex: unanswered,
			description: 'The execution was stopped. Run it again to answer every item.',
		});
	}
	return output;
}

/**
 * An error as the user will see it: n8n's own errors (the node's checks, its words for a Slier
 * failure, an expression n8n could not resolve) as they are; anything else was not foreseen and
 * says so (error-words.ts), so a bug is never reported as bad input.
 */
function asKnownError(ctx: IExecuteFunctions, error: unknown, i: number, apiKey: string): unknown {
	if (error instanceof ExecutionBaseError) return error;
	return unexpectedNodeError(ctx.getNode(), error, i, apiKey);
}

/**
 * A failed item under Continue On Fail: `{error, errorType}`, with the input fields when
 * Include Input Fields is on (so the user sees which input failed). With "Continue (using error
 * output)" it also carries the error as n8n's `item.error`, which makes n8n route it to the error
 * output. That property is not enumerable: n8n copies a routed item with a spread, which then
 * drops it, so n8n does not replace the json by `{error: message}` and errorType survives.
 */
function failedItem(
	ctx: IExecuteFunctions,
	params: ParamReader,
	items: INodeExecutionData[],
	i: number,
	error: unknown,
): INodeExecutionData {
	const message = error instanceof Error ? error.message : String(error);
	let json = toFailedJson(message, errorTypeOf(error));
	if (includeInputFields(params, i)) json = withInputFields(items[i], json, true);
	const item: INodeExecutionData = { json, pairedItem: { item: i } };
	if (ctx.getNode().onError === 'continueErrorOutput') {
		const nodeError =
			error instanceof NodeOperationError || error instanceof NodeApiError
				? error
				: new NodeOperationError(ctx.getNode(), message, { itemIndex: i });
		Object.defineProperty(item, 'error', { value: nodeError, enumerable: false });
	}
	return item;
}

/** Include Input Fields for item i; a failure to read it (a broken expression) counts as off. */
function includeInputFields(params: ParamReader, i: number): boolean {
	try {
		return (params.get('options', i, {}) as IDataObject).includeInputFields === true;
	} catch {
		return false;
	}
}

/** Max Concurrent Requests, read once per run (from the first item) since it shapes the run. */
function readMaxConcurrency(ctx: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return 1;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return checkMaxConcurrency(options.maxConcurrency, (problem, fix) => new NodeOperationError(ctx.getNode(), problem, { description: fix }));
}

async function runItem(run: RunContext, i: number): Promise<IDataObject> {
	const { ctx, endpoint } = run;
	const { completion, settings, options } = readItemRequest(ctx, run.params, i, endpoint);
	const connection = connectionOf(run.credentials, settings, run.signal, run.egress);
	const chunks = ChunkStream.open(ctx, i, completion.body.stream);
	// Search's Strip Citation Markers: the chat shows what `content` holds.
	const stripMarkers = endpoint === 'search' && options.stripCitations === true;
	const filter = chunks && stripMarkers ? new CitationStripper() : undefined;
	let answer: Answer | undefined;
	try {
		const events = streamCompletion(connection, completion, {
			gate: run.limiter,
			onRetry: ({ attempt, delayMs, reason }) =>
				ctx.logger.warn(`Slier ${endpoint}: item ${i} retry ${attempt} in ${delayMs} ms (${reason})`),
		});
		for await (const event of events) {
			if (event.type === 'answer') answer = event.answer;
			else chunks?.send('item', filter ? filter.push(event.text) : event.text);
		}
	} catch (caught) {
		const error =
			caught instanceof SlierError
				? toNodeError(ctx.getNode(), caught, settings, { itemIndex: i, model: completion.body.model, streamed: completion.body.stream })
				: caught;
		await chunks?.close(error as Error);
		throw error;
	}
	if (!answer) throw new Error('A completion ended without an answer');
	if (filter) chunks?.send('item', filter.flush());
	await chunks?.close();
	if (answer.filtered && settings.onContentFilter === 'error') {
		throw nodeErrorFrom(ctx.getNode(), contentFilterWords(answer.filter, 'item'), { itemIndex: i });
	}
	const search = endpoint === 'search' ? searchFields(answer, stripMarkers) : undefined;
	let data: unknown;
	// A filtered answer has no JSON to read: data stays null, as content may be.
	if (settings.answerFormat === 'json' && !answer.filtered) {
		const parsed = readJsonAnswer(search ? search.plainText : answer.content);
		if (!parsed.found) throw invalidJsonError(ctx.getNode(), i, search ? search.content : answer.content);
		data = parsed.value;
	}
	const fields = search
		? { content: search.content, extra: { citations: search.citations, links: search.links as unknown as IDataObject[] } }
		: { content: answer.content, extra: {} };
	const json = toOutputJson(answer, settings, fields, data);
	return settings.includeInputFields ? withInputFields(run.items[i], json) : json;
}
