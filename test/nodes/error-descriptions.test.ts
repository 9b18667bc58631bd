import type { INodeParameters } from 'n8n-workflow';

import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Each error a user can meet, through Slier Chat in n8n's engine: the message (what happened),
 * the description (what to do: the execution view shows it under the message, n8n's hosted chat
 * shows only it) and the errorType an item carries under Continue On Fail. Error tests that
 * checked the message alone let the fix text or the errorType break unnoticed.
 */
const emulator = useEmulator();

/** errorType, the text sent, the node's parameters, the message (PORT: the emulator's), the description. */
const cases: Array<[string, string, INodeParameters, string, string]> = [
	// A rate limit is waited through while the Timeout lasts (rate-limits.test.ts); a used-up quota fails at once.
	['rate_limited', 'broke [[429 times=9 reason=insufficient_quota]]', {},
		'Slier says the quota of this API key is used up (HTTP 429, insufficient_quota) (item 0)',
		'Check your Slier plan and usage, then run the item again. It was not retried, so it did not hold up the other items. Slier said: "You exceeded your current quota."'],
	['timeout', 'slow [[slow-headers ms=1500]]', { options: { timeout: 300 } },
		'Slier did not answer within 0.3 seconds (item 0)',
		'Raise Options → Timeout (Ms) (now 300 ms, 0.3 seconds), or ask for a shorter answer.'],
	['timeout', 'x [[status code=408]]', { options: { maxRetries: 0 } },
		'Slier or a proxy between gave up waiting for the request (HTTP 408) after 0 retries: The server had an error (408). (item 0)',
		'The request itself may be fine: try again later, or raise Options → Max Retries. If it keeps happening, check the proxy or gateway in front of Slier.'],
	['timeout', 'idle [[idle after=1 ms=1500]]', { stream: true, options: { timeout: 300 } },
		'The stream was interrupted after 9 characters of the answer had arrived: The stream was silent for longer than 0.3 seconds (item 0)',
		'Raise Options → Timeout (Ms) (now 300 ms, 0.3 seconds), or ask for a shorter answer.'],
	['content_filter', 'bad [[filter]]', { options: { onContentFilter: 'error' } },
		'Slier\'s content filter refused to answer: This content may violate our content policy, please check https://Slier.ai/terms to learn more. (item 0)',
		'Rephrase the messages, or set Options → On Content Filter to "Output Filtered Item" to get an item with filtered: true instead of an error.'],
	['content_filter', 'bad [[stream-filter after=1]]', { stream: true, options: { onContentFilter: 'error' } },
		'Slier\'s content filter refused to answer (item 0)',
		'Rephrase the messages, or set Options → On Content Filter to "Output Filtered Item" to get an item with filtered: true instead of an error.'],
	['auth', 'x [[status code=403]]', {},
		'Slier rejected the API key (HTTP 403) (item 0)',
		'Check the API key in the Slier API credential: it may be mistyped, revoked or lack access. Slier said: "The server had an error (403)."'],
	['bad_request', 'x [[status code=400]]', {},
		'Slier rejected the request (HTTP 400): The server had an error (400). (item 0)',
		'Check the messages and model parameters.'],
	['bad_request', 'x [[status code=422]]', {},
		'Slier rejected the request (HTTP 422): The server had an error (422). (item 0)',
		'Check the messages and model parameters.'],
	['not_found', 'x', { model: { __rl: true, mode: 'id', value: 'no-such-model' } },
		'Slier does not know the model "no-such-model" (HTTP 404) (item 0)',
		'Pick a model under Model → From List, which shows the models your key can use, or correct the ID. Slier said: "The model `no-such-model` does not exist."'],
	['not_found', 'x [[redirect to=http://127.0.0.1:9/elsewhere]]', {},
		'Slier answered with a redirect (HTTP 307) to http://127.0.0.1:9/elsewhere, which is not followed so the API key is never sent elsewhere (item 0)',
		'If that is where the Slier API now lives, set the Base URL in the Slier API credential to it; otherwise to https://api.slier.ai (the default).'],
	['server_error', 'x [[status code=500]]', { options: { maxRetries: 0 } },
		'Slier had a server error (HTTP 500) after 0 retries: The server had an error (500). (item 0)',
		'This is on the Slier side or a proxy between. Try again later, or raise Options → Max Retries.'],
	['server_error', 'x [[status code=502 html]]', { options: { maxRetries: 0 } },
		'Slier had a server error (HTTP 502) after 0 retries: 502 Bad Gateway 502 Bad Gateway nginx upstream error (item 0)',
		'This is on the Slier side or a proxy between. Try again later, or raise Options → Max Retries.'],
	['stream_interrupted', 'x [[cut after=1]]', { stream: true },
		'The stream ended early: Slier closed it before the answer was complete (9 characters had arrived) (item 0)',
		'A stream is never retried once it has started (that would pay for a second answer). Run the item again, or turn Stream off.'],
	['stream_interrupted', 'x [[reset-mid after=1]]', { stream: true },
		'The stream was interrupted after 9 characters of the answer had arrived: the connection to Slier at http://127.0.0.1:PORT broke (connection reset) (item 0)',
		'A stream is never retried once it has started (that would pay for a second answer). Run the item again, or turn Stream off.'],
	['stream_interrupted', 'x [[stream-error after=1]]', { stream: true },
		'Slier reported an error inside the stream: The model failed while answering. (item 0)',
		'A stream is never retried once it has started (that would pay for a second answer). Run the item again, or turn Stream off.'],
	['stream_interrupted', 'x [[malformed after=1]]', { stream: true },
		'Slier sent a stream event that is not valid JSON: {"id": "broken", "choices": [ (item 0)',
		'A stream is never retried once it has started (that would pay for a second answer). Run the item again, or turn Stream off.'],
	['invalid_input', ' ', {},
		'Message 1 in Messages has empty content (item 0)',
		'Fill in its content or remove the message. If the content is an expression, check that it gives text for this item.'],
	['server_error', 'x [[huge kind=json mb=40]]', { options: { maxRetries: 0 } },
		'Slier sent a JSON response larger than 32 MiB, the most this node reads; it stopped reading and dropped the connection (item 0)',
		'Check the Base URL in the Slier API credential: it may point at a file or a gateway instead of the Slier API. For a very long answer, ask for a shorter one.'],
	['invalid_json', 'no json here [[verbatim]]', { options: { answerFormat: 'json' } },
		'Slier\'s answer holds no valid JSON (item 0): "no json here"',
		'Ask the model for JSON only, e.g. end the message with "Answer with a JSON object only, no other text.", or set Options → Answer Format to Text.'],
];

it.each(cases)('%s: %j gives its message, its fix and its errorType', async (errorType, text, parameters, message, description) => {
	const expected = message.replace('PORT', new URL(emulator.url).port);
	const { error } = await runSlierNode({ emulator, items: [{ text }], parameters });
	expect(error?.message).toBe(expected);
	expect(error?.description).toBe(description);
	emulator.reset();
	const { items } = await runSlierNode({ emulator, items: [{ text }], parameters, continueOnFail: true });
	expect(items[0].json).toEqual({ error: expected, errorType });
});
