/** Durations in the words error messages use. */

/** An exact number of seconds, for limits the user set: "300 seconds", "0.5 seconds". */
export function seconds(ms: number): string {
	// Below a tenth of a second, "0.0 seconds" would say nothing: say the milliseconds.
	if (ms > 0 && ms < 100) return `${ms} millisecond${ms === 1 ? '' : 's'}`;
	const s = ms / 1000;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} second${s === 1 ? '' : 's'}`;
}

/** A duration in words a user reads at a glance: "45 seconds", "about 3 minutes", "about 1 hour". */
export function humanDuration(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
	const [unit, size] = s >= 86_400 ? ['day', 86_400] : s >= 3_600 ? ['hour', 3_600] : ['minute', 60];
	const n = Math.round(s / size);
	return `about ${n} ${unit}${n === 1 ? '' : 's'}`;
}
