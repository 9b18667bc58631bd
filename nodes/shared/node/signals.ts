import { setMaxListeners } from 'node:events';

/**
 * An AbortController that also aborts when the execution's cancel signal does. The listener is
 * removed in dispose(): AbortSignal.any() on a long-lived signal leaks on Node 20–22
 * (nodejs/node#54614).
 */
export function linkedSignal(outer: AbortSignal | undefined) {
	const controller = new AbortController();
	// Every request in flight listens to it (and stops listening when it ends): not a leak.
	setMaxListeners(0, controller.signal);
	const onAbort = () => controller.abort();
	if (outer?.aborted) controller.abort();
	else outer?.addEventListener('abort', onAbort, { once: true });
	return {
		signal: controller.signal,
		abort: () => controller.abort(),
		cancelledFromOutside: () => outer?.aborted === true,
		dispose: () => outer?.removeEventListener('abort', onAbort),
	};
}
