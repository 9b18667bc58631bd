import type { ContentFilter } from '../completion/types';
import type { SlierError } from '../transport/errors';
import { LIMITS, mib } from '../transport/body';
import { humanDuration, seconds } from '../transport/format';
import { redactKey } from '../transport/redact';
import { exceedsRetryAfterCap, RETRY_AFTER_CAP_MS } from '../transport/retry';
import type { ItemSettings } from './settings';

/**
 * The stable word a failed item carries in `errorType`, so a Switch node can route failures
 * without matching English text. Public contract (DESIGN.md): add words, never rename. The word
 * for each failure is chosen with its message and fix below.
 */
export const ERROR_TYPES = [
	'rate_limited',
	'timeout',
	'content_filter',
	'auth',
	'bad_request',
	'not_found',
	'server_error',
	'network',
	'stream_interrupted',
	'invalid_input',
	'invalid_json',
	'blocked',
	// A failure the node did not foresee (a bug): never passed off as the user's input.
	'unexpected',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * The one author of what a user reads about a failure. Transport and completion errors carry
 * facts (kind, problem, status, the API's message, an excerpt, a cause code, a timeout …); this
 * module turns them into the message, the fix and the errorType, together, for the item nodes
 * (which add "(item N)") and the Slier Chat Model alike.
 */
export interface Words {
	message: string;
	fix: string;
	errorType: ErrorType;
}

/**
 * Who reads the words: an item node (Slier Chat, Slier Search), the Slier Chat Model sub-node (its
 * errors can reach a chat), or the editor's model list.
 */
export type Audience = 'item' | 'model' | 'list';

/** The settings the words quote (both the item nodes and the chat model have them). */
export type RetrySettings = Pick<ItemSettings, 'timeoutMs' | 'maxRetries'>;

export interface WordsContext {
	settings: RetrySettings;
	audience: Audience;
	/** The model asked for, to name it in a 404. */
	model?: string;
	/** Whether the request asked for a stream (an item node's Stream switch). */
	streamed?: boolean;
}

export const DEFAULT_BASE_URL_EXAMPLE = 'https://api.slier.ai';

const SSRF_ALLOW_HINT =
	'An n8n administrator can allow it with N8N_SSRF_ALLOWED_IP_RANGES (e.g. 10.0.0.5/32) or N8N_SSRF_ALLOWED_HOSTNAMES, or remove it from N8N_SSRF_BLOCKED_IP_RANGES / N8N_SSRF_BLOCKED_HOSTNAMES';

/** Network failure codes in words (the cause codes a network error carries). */
const NETWORK_CODES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	EPIPE: 'connection closed',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	UND_ERR_SOCKET: 'connection closed by the server',
	UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
	UND_ERR_CLOSED: 'connection closed',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How long a request waited through 429s: tenths of a second when short, else at a glance. */
const waitWords = (ms: number) => (ms < 90_000 ? seconds(Math.round(ms / 100) * 100) : humanDuration(ms));

/** A stream that broke after it started: one text for the item nodes and the sub-node. */
function streamBrokeFix({ audience, streamed }: WordsContext): string {
	const again =
		audience === 'model' ? 'Run the workflow again.' : streamed === false ? 'Run the item again.' : 'Run the item again, or turn Stream off.';
	return `A stream is never retried once it has started (that would pay for a second answer). ${again}`;
}

function interrupted(error: SlierError, cause: string): string {
	const chars = error.details.receivedChars ?? 0;
	// A reasoning model may think for long before its first word of answer: say what did arrive.
	const thought = error.details.reasoningChars ? `, ${error.details.reasoningChars.toLocaleString('en-US')} of reasoning` : '';
	return `The stream was interrupted after ${plural(chars, 'character')} of the answer${thought} had arrived: ${cause}`;
}

/** What a low-level cause code means, in words ("connection reset"), else its own text. */
function causeWords(error: SlierError): string {
	const { cause, causeMessage } = error.details;
	return (cause ? NETWORK_CODES[cause] : undefined) ?? causeMessage ?? (cause || 'unknown cause');
}

function protocolWords(error: SlierError): string {
	const code = error.details.cause ?? '';
	if (code === 'UND_ERR_HEADERS_OVERFLOW') return 'its headers are larger than n8n accepts';
	if (code.endsWith('CONTENT_LENGTH_MISMATCH')) return 'its body was not as long as its Content-Length header said';
	if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return 'it is larger than n8n accepts';
	if (code.startsWith('HPE_')) return `it is not valid HTTP (${code})`;
	if (code === 'HPE') return 'it is not valid HTTP';
	return code || 'unknown cause';
}

/** What a non-API 2xx sent, briefly: "an HTML page titled "Welcome to nginx!"". */
function whatItSent(error: SlierError): string {
	const { pageTitle, bodyExcerpt, status, contentType } = error.details;
	const body = bodyExcerpt && bodyExcerpt.length > 80 ? `${bodyExcerpt.slice(0, 80)}…` : bodyExcerpt;
	const json = /^[[{]/.test(body ?? '');
	const what = pageTitle
		? `an HTML page titled "${pageTitle}"`
		: body
			? json
				? `JSON that is not a Slier answer: ${body}`
				: `"${body}"`
			: status === 204
				? 'no content'
				: 'an empty response';
	return `${what} (HTTP ${status ?? '?'}${contentType ? `, ${contentType.split(';')[0]}` : ''})`;
}

function baseUrlFix(error: SlierError): string {
	const at = error.details.origin ? ` It now points at ${error.details.origin}.` : '';
	return `Set the Base URL in the Slier API credential to the Slier API's address, ${DEFAULT_BASE_URL_EXAMPLE} (the default), not a website or another service.${at}`;
}

/** The errorType of a transport failure (a stable word, see ERROR_TYPES). */
export function transportErrorType(error: SlierError): ErrorType {
	switch (error.kind) {
		case 'http':
			return error.isContentFilter ? 'content_filter' : byStatus(error.status);
		case 'network':
			return 'network';
		case 'timeout':
			return 'timeout';
		case 'stream':
			return 'stream_interrupted';
		// A 2xx that is not the API at all: like a 404 or a redirect, the Base URL points at the
		// wrong place. Any other 2xx without a usable answer: the fault is on Slier's side.
		case 'response':
			return error.details.problem === 'not_api' ? 'not_found' : 'server_error';
		// A response that cannot be read as HTTP, or more than the caps: a fault on the sending side.
		case 'protocol':
		case 'too_large':
			return 'server_error';
		// The n8n administrator's SSRF policy refused the address: neither a retry nor Slier can help.
		case 'blocked':
			return 'blocked';
		// A request that could not be built (e.g. a key with a line break): a configuration problem.
		case 'request':
			return 'invalid_input';
		// Never an item: a cancelled execution stops the node. Listed for completeness.
		case 'aborted':
			return 'network';
	}
}

function byStatus(status: number | undefined): ErrorType {
	if (status === 401 || status === 403) return 'auth';
	if (status === 404) return 'not_found';
	if (status === 408) return 'timeout';
	if (status === 429) return 'rate_limited';
	// A redirect is not followed: like a 404, the Base URL points at the wrong place.
	if (status !== undefined && status >= 300 && status < 400) return 'not_found';
	if (status !== undefined && status >= 500) return 'server_error';
	return 'bad_request';
}

/** The words for a transport or completion failure. */
export function transportWords(error: SlierError, ctx: WordsContext): Words {
	const { message, fix } = explain(error, ctx);
	const words: Words = { message, fix, errorType: transportErrorType(error) };
	return ctx.audience === 'model' ? causeFirst(words) : words;
}

/**
 * n8n's hosted and embedded chat show only an error's description ("Error: <description>"); the
 * execution view shows the message above it. A Slier Chat Model error reaches a chat through the
 * AI node, so its description starts with what happened and whether sending the message again can
 * help, for the person chatting; the builder's fix follows.
 */
function causeFirst(words: Words): Words {
	const stop = /[.!?…]$/.test(words.message) ? '' : '.';
	return { ...words, fix: `${words.message}${stop} ${AGAIN[words.errorType]} ${words.fix}` };
}

/** Whether sending the same chat message again can help, for an error of this type: the words every chat error uses. */
export function sendAgainWords(type: ErrorType): string {
	return AGAIN[type];
}

/** Whether sending the same chat message again can help, by errorType. */
const AGAIN: Record<ErrorType, string> = {
	content_filter: 'Sent again unchanged, it will be refused again.',
	server_error: 'Sending the message again later may work.',
	rate_limited: 'Sending the message again later may work.',
	network: 'Sending the message again later may work.',
	timeout: 'Sending the message again may work.',
	stream_interrupted: 'Sending the message again may work.',
	auth: 'Sending the message again will not help until the workflow is fixed.',
	not_found: 'Sending the message again will not help until the workflow is fixed.',
	bad_request: 'Sending the message again will not help until the workflow is fixed.',
	blocked: 'Sending the message again will not help until the workflow is fixed.',
	invalid_input: 'Sending the message again will not help until the workflow is fixed.',
	invalid_json: 'Sending the message again may work.',
	unexpected: 'Sending the message again may work.',
};

function explain(error: SlierError, ctx: WordsContext): { message: string; fix: string } {
	const { settings } = ctx;
	const { status, apiMessage, reason, param, problem } = error.details;
	const said = apiMessage ? ` Slier said: "${apiMessage}"` : '';
	const retries = plural(settings.maxRetries, 'retry', 'retries');
	const raiseTimeout = `Raise Options → Timeout (Ms) (now ${settings.timeoutMs} ms, ${seconds(settings.timeoutMs)}), or ask for a shorter answer.`;
	switch (error.kind) {
		case 'timeout': {
			const limit = seconds(error.details.timeoutMs ?? settings.timeoutMs);
			const idle = error.details.keepAlivesOnly
				? `The stream sent no answer text for longer than ${limit}, only keep-alives or empty events`
				: `The stream was silent for longer than ${limit}`;
			if (problem === 'interrupted') return { message: interrupted(error, idle), fix: raiseTimeout };
			if (problem === 'stream_idle') return { message: idle, fix: raiseTimeout };
			if (problem === 'headers_timeout') return { message: `Slier did not answer within ${limit}`, fix: raiseTimeout };
			if (problem === 'body_timeout') return { message: `The response was silent for longer than ${limit}`, fix: raiseTimeout };
			return { message: `Slier started answering but the whole answer did not arrive within ${limit}`, fix: raiseTimeout };
		}
		case 'network': {
			const origin = error.details.origin ?? 'the Base URL';
			const tried = `It was tried ${plural(settings.maxRetries + 1, 'time')}.`;
			if (error.details.afterResponse) {
				return {
					message: `The connection to Slier at ${origin} broke while its answer was being read (${causeWords(error)})`,
					fix: `${tried} Run the item again; if it keeps happening, a proxy or gateway between n8n and Slier may be cutting responses off.`,
				};
			}
			return {
				message: `Could not reach Slier at ${origin} (${causeWords(error)})`,
				fix: `Check the Base URL in the Slier API credential and that this n8n instance can reach it. ${tried}`,
			};
		}
		case 'stream':
			switch (problem) {
				case 'interrupted':
					return {
						message: interrupted(
							error,
							error.details.interruptedBy === 'protocol'
								? `the rest of the response could not be read: ${protocolWords(error)}`
								: `the connection to Slier at ${error.details.origin ?? 'the Base URL'} broke (${causeWords(error)})`,
						),
						fix: streamBrokeFix(ctx),
					};
				case 'ended_early': {
					const chars = error.details.receivedChars ?? 0;
					return {
						message: `The stream ended early: Slier closed it before the answer was complete (${plural(chars, 'character')} had arrived)`,
						fix: streamBrokeFix(ctx),
					};
				}
				case 'error_event':
					return {
						message: `Slier reported an error inside the stream: ${apiMessage ?? reason ?? 'no message'}`,
						fix: streamBrokeFix(ctx),
					};
				case 'bad_event':
				case 'not_object_event':
					return {
						message: `Slier sent a stream event that is ${problem === 'bad_event' ? 'not valid JSON' : 'not a JSON object'}: ${error.details.bodyExcerpt ?? ''}`,
						fix: streamBrokeFix(ctx),
					};
				default:
					return { message: `Slier's stream broke (${problem ?? 'no details'})`, fix: streamBrokeFix(ctx) };
			}
		case 'response':
			if (problem === 'not_api') {
				return { message: `The Base URL did not answer like the Slier API: it sent ${whatItSent(error)}`, fix: baseUrlFix(error) };
			}
			if (problem === 'no_answer' || problem === 'no_choice') {
				return {
					message:
						problem === 'no_choice'
							? 'Slier sent a completion without an answer in it (no choices[0].message)'
							: error.details.fromStream
								? 'Slier sent a stream with no text and no finish reason: there is no answer to pass on'
								: 'Slier sent an answer with no text and no finish reason: there is no answer to pass on',
					fix: 'Run it again. If it keeps happening, check the model and the model parameters (a max_tokens of 0, say); otherwise it is a problem on the Slier side or in a proxy between.',
				};
			}
			return {
				message:
					problem === 'not_json'
						? `Slier sent a response that is not valid JSON: ${error.details.bodyExcerpt || '(empty body)'}`
						: problem === 'error_in_body'
							? `Slier sent an error instead of an answer (HTTP ${status ?? '?'}): ${apiMessage ?? reason ?? error.details.bodyExcerpt ?? 'no message'}`
							: problem === 'undecodable'
								? `Slier sent a response marked as ${error.details.encoding ?? '?'}-compressed that could not be decompressed (${error.details.causeMessage ?? 'unknown cause'})`
								: `Slier (or a proxy between) sent the response compressed as "${error.details.encoding ?? '?'}", which this node cannot read (it reads gzip, deflate and br)`,
				fix: 'This looks like a problem on the Slier side or in a proxy between. Try again later.',
			};
		case 'protocol':
			return {
				message: `The response from ${error.details.origin ?? 'the Base URL'} could not be read: ${protocolWords(error)}`,
				fix: 'It was not retried: the same server would send the same response. Check the Base URL in the Slier API credential, and any proxy between n8n and Slier.',
			};
		case 'aborted':
			return { message: 'The request was canceled because the workflow execution was stopped', fix: 'The execution was stopped.' };
		case 'blocked': {
			const { blockedTarget, viaProxy } = error.details;
			const where = viaProxy ? `the proxy ${blockedTarget} (HTTP_PROXY / HTTPS_PROXY)` : (blockedTarget ?? 'the target');
			return {
				message: `This n8n instance's SSRF protection does not allow requests to ${where}, so nothing was sent. ${SSRF_ALLOW_HINT}`,
				fix: `Use the public Slier API (${DEFAULT_BASE_URL_EXAMPLE}), or ask the n8n administrator to allow this address (see the message).`,
			};
		}
		case 'too_large':
			return {
				message: `Slier sent ${tooLargeWhat(problem, error.details.limit)}, the most this node reads; it stopped reading and dropped the connection`,
				fix: 'Check the Base URL in the Slier API credential: it may point at a file or a gateway instead of the Slier API. For a very long answer, ask for a shorter one.',
			};
		case 'request':
			if (problem === 'bad_key') {
				return {
					message: 'The API key in the Slier API credential contains a line break or another character that cannot be sent in an HTTP header',
					fix: 'Open the Slier API credential and paste the API key again, as one line without spaces or line breaks.',
				};
			}
			if (problem === 'proxy' || problem === 'proxy_auth') {
				const scheme = error.details.proxyScheme ?? 'HTTP';
				return {
					message:
						problem === 'proxy_auth'
							? "The proxy named in this n8n's environment (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY) asks for a user name and password (HTTP 407): put them in the proxy URL, as in http://user:password@proxy:3128"
							: `The proxy that this n8n's environment names for ${scheme} requests (${scheme}_PROXY, ALL_PROXY or their lower-case forms) is not a valid URL, so nothing was sent`,
					fix: "Nothing was sent to Slier and it was not retried. Ask the n8n administrator to check this instance's proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY).",
				};
			}
			return {
				message: `The request to Slier could not be sent: ${error.details.causeMessage ?? error.details.cause ?? 'unknown cause'}`,
				fix: 'This request was not sent and not retried. Check the Slier API credential and the node parameters.',
			};
		case 'http':
			break;
	}
	if (error.isContentFilter) {
		const words = contentFilterWords({ reason: reason ?? 'content_filter', param: param ?? null, message: apiMessage ?? null }, ctx.audience);
		return { message: words.message, fix: words.fix };
	}
	if (exceedsRetryAfterCap(error)) {
		const wait = humanDuration(error.details.retryAfterMs ?? 0);
		const quota = status === 429 ? ': your Slier quota or rate limit may be used up for now' : '';
		return {
			message: `Slier asked to wait ${wait} before trying again (HTTP ${status ?? '?'}), longer than the ${seconds(RETRY_AFTER_CAP_MS)} this node waits${quota}`,
			fix: `Run the item again after that time, or check your Slier plan and usage. It was not retried, so it did not hold up the other items.${said}`,
		};
	}
	if (status === 401 || status === 403) {
		return {
			message: `Slier rejected the API key (HTTP ${status})`,
			fix: `Check the API key in the Slier API credential: it may be mistyped, revoked or lack access.${said}`,
		};
	}
	if (status === 404 && (reason === 'model_not_found' || param === 'model')) {
		return {
			message: `Slier does not know the model "${ctx.model ?? '?'}" (HTTP 404)`,
			fix: `Pick a model under Model → From List, which shows the models your key can use, or correct the ID.${said}`,
		};
	}
	if (status === 404) {
		return { message: 'Slier has no such endpoint (HTTP 404)', fix: `Check the Base URL in the Slier API credential and Options → API Version.${said}` };
	}
	if (status === 429 && reason === 'insufficient_quota') {
		return {
			message: 'Slier says the quota of this API key is used up (HTTP 429, insufficient_quota)',
			fix: `Check your Slier plan and usage, then run the item again. It was not retried, so it did not hold up the other items.${said}`,
		};
	}
	if (status === 429) {
		const { rateLimitWaitedMs: waited, rateLimitCount: count } = error.details;
		if (count === undefined) {
			return {
				message: `Slier's rate limit was still reached after ${retries} (HTTP 429)`,
				fix: `Send fewer items at once, or raise Options → Max Retries.${said}`,
			};
		}
		return {
			message: `Slier's rate limit was still reached when the Timeout ran out: the request waited ${waitWords(waited ?? 0)} and met ${plural(count, 'HTTP 429 answer')}`,
			fix: `A rate limit is waited through for as long as Options → Timeout (Ms) (now ${settings.timeoutMs} ms, ${seconds(settings.timeoutMs)}), counted from the first 429. Raise it, or send fewer items at once.${said}`,
		};
	}
	if (problem === 'redirect' || (status !== undefined && status >= 300 && status < 400)) {
		const to = error.details.location ? ` to ${error.details.location}` : '';
		return {
			message: `Slier answered with a redirect (HTTP ${status ?? '?'})${to}, which is not followed so the API key is never sent elsewhere`,
			fix: to
				? `If that is where the Slier API now lives, set the Base URL in the Slier API credential to it; otherwise to ${DEFAULT_BASE_URL_EXAMPLE} (the default).`
				: `Set the Base URL in the Slier API credential to the final address of the API, e.g. ${DEFAULT_BASE_URL_EXAMPLE}.`,
		};
	}
	const what = apiMessage ?? error.details.bodyExcerpt ?? 'no details';
	// 408 is retried like a server error and typed `timeout`: it is a wait that ran out, not a bad request.
	if (status === 408) {
		return {
			message: `Slier or a proxy between gave up waiting for the request (HTTP 408) after ${retries}: ${what}`,
			fix: 'The request itself may be fine: try again later, or raise Options → Max Retries. If it keeps happening, check the proxy or gateway in front of Slier.',
		};
	}
	if (status !== undefined && status >= 500) {
		return {
			message: `Slier had a server error (HTTP ${status}) after ${retries}: ${what}`,
			fix: 'This is on the Slier side or a proxy between. Try again later, or raise Options → Max Retries.',
		};
	}
	return {
		message: `Slier rejected the request (HTTP ${status ?? '?'}): ${what}`,
		fix: param ? `Check the "${param}" part of the request.` : 'Check the messages and model parameters.',
	};
}

/** Which cap a too-large response passed, and the cap: "a stream larger than 512 MiB". */
function tooLargeWhat(problem: SlierError['details']['problem'], limit: number | undefined): string {
	switch (problem) {
		case 'big_answer':
			return `an answer larger than ${(limit ?? LIMITS.answerChars) / 1024 / 1024} Mi characters`;
		case 'big_event':
			return `one stream event (or line) larger than ${mib(limit ?? LIMITS.sseEventBytes)}`;
		case 'big_stream':
			return `a stream larger than ${mib(limit ?? LIMITS.streamBytes)}`;
		default:
			return `a JSON response larger than ${mib(limit ?? LIMITS.jsonBodyBytes)}`;
	}
}

/**
 * Slier's content filter refused or cut the answer, and the user wants that as an error (an item
 * node's On Content Filter → Fail the Item) or cannot have a filtered item (the sub-node).
 */
export function contentFilterWords(filter: ContentFilter | null, audience: Audience): Words {
	const words: Words = {
		message: `Slier's content filter refused to answer${filter?.message ? `: ${filter.message}` : ''}`,
		fix:
			audience === 'model'
				? 'Rephrase the prompt or the system message of the AI node. Slier Chat (not this model) can instead output a filtered item, with On Content Filter → Output Filtered Item.'
				: 'Rephrase the messages, or set Options → On Content Filter to "Output Filtered Item" to get an item with filtered: true instead of an error.',
		errorType: 'content_filter',
	};
	return audience === 'model' ? causeFirst(words) : words;
}

/**
 * A failure the nodes did not foresee (a TypeError: a bug, not the user's input nor Slier's
 * answer). Said as such, with its own errorType, so it is never taken for bad input.
 */
export function unexpectedWords(error: unknown, apiKey?: string): Words {
	const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	let text = raw.replace(/\s+/g, ' ').trim();
	if (apiKey) text = redactKey(text, apiKey);
	if (text.length > 200) text = `${text.slice(0, 200)}…`;
	return {
		message: `The Slier node failed unexpectedly (${text})`,
		fix: 'This is a fault in the node, not in your workflow or at Slier. Run it again; if it happens again, report it at https://github.com/slier-ai/n8n-nodes-slier/issues with this message.',
		errorType: 'unexpected',
	};
}
