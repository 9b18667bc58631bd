import { deepCopy, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import type { Answer } from '../completion/types';
import type { ErrorType } from './error-words';
import type { ItemSettings } from './settings';

/**
 * What a node shows of the answer beyond the shared fields: the answer text as it presents it
 * (Search may strip citation markers) and its own fields placed right after `content` (Search's
 * citations and links).
 */
export interface EndpointFields {
	content: string | null;
	extra: IDataObject;
}

/**
 * The documented output item: the same keys in the same order for every answer, so downstream
 * nodes can map fields once. With Answer Format JSON, `data` (the parsed answer) follows `content`.
 */
export function toOutputJson(
	answer: Answer,
	settings: ItemSettings,
	fields: EndpointFields = { content: answer.content, extra: {} },
	data?: unknown,
): IDataObject {
	const json: IDataObject = { content: fields.content };
	if (settings.answerFormat === 'json') json.data = (data ?? null) as IDataObject | null;
	// The model's thought, kept apart from the answer (reasoning models); null for the others.
	json.reasoning = answer.reasoning;
	Object.assign(json, fields.extra);
	// Only when the API sent several choices (`n` > 1): content is the first's, these are all.
	if (answer.choices) json.choices = answer.choices as unknown as IDataObject[];
	Object.assign(json, {
		role: answer.role,
		finishReason: answer.finishReason,
		model: answer.model,
		usage: answer.usage as IDataObject | null,
		filtered: answer.filtered,
		filter: answer.filter as IDataObject | null,
		id: answer.id,
		created: answer.created,
	});
	if (!settings.simplify) json.raw = answer.raw as IDataObject;
	return json;
}

/** Every name an answer item may use: a failed item never passes on an input field so named. */
const ANSWER_KEYS = new Set(['content', 'data', 'reasoning', 'citations', 'links', 'choices', 'role', 'finishReason', 'model', 'usage', 'filtered', 'filter', 'id', 'created', 'raw', 'error', 'errorType']);

/**
 * Include Input Fields: the input item's fields, then the node's. On a name clash the node's
 * field wins (so `content`, `error` … are always the node's) and keeps its documented place. For
 * a failed item (`failed`), an input field named like an answer field is left out too, though the
 * item has no such field: a next node must never take the input's `content` for the answer.
 * The input is copied: the output must not share objects with the input item.
 */
export function withInputFields(input: INodeExecutionData | undefined, own: IDataObject, failed = false): IDataObject {
	const merged: IDataObject = {};
	for (const [key, value] of Object.entries(input?.json ?? {})) {
		// Own keys only: `in` would also see Object.prototype and drop an input named "constructor".
		if (Object.prototype.hasOwnProperty.call(own, key) || (failed && ANSWER_KEYS.has(key))) continue;
		// Defined, not assigned: an input field named "__proto__" stays a field.
		Object.defineProperty(merged, key, { value: deepCopy(value), enumerable: true, writable: true, configurable: true });
	}
	return Object.assign(merged, own);
}

/** The json of a failed item under Continue On Fail. */
export function toFailedJson(message: string, errorType: ErrorType): IDataObject {
	return { error: message, errorType };
}
