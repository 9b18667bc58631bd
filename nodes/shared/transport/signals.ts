import { setMaxListeners } from 'node:events';

/**
 * An AbortController that also aborts when any of the outer signals does (the execution's cancel
 * signal; for the chat model also LangChain's). The listeners are removed in dispose():
 * AbortSignal.any() on a long-lived signal leaks on Node 20–22 (nodejs/node#54614).
 */
export function linkedSignal(...outers: Array<AbortSignal | undefined>) {
	const controller = new AbortController();
	// Every request in flight listens to it (and stops listening when it ends): not a leak.
	setMaxListeners(0, controller.signal);
	const onAbort = () => controller.abort();
	const live = outers.filter((signal): signal is AbortSignal => signal !== undefined);
	for (const outer of live) {
		if (outer.aborted) controller.abort();
		else outer.addEventListener('abort', onAbort, { once: true });
	}
	return {
		signal: controller.signal,
		/** Aborts with `reason` (what a request in flight then fails with), or an AbortError. */
		abort: (reason?: unknown) => controller.abort(reason),
		cancelledFromOutside: () => live.some((outer) => outer.aborted),
		dispose: () => live.forEach((outer) => outer.removeEventListener('abort', onAbort)),
	};
}
