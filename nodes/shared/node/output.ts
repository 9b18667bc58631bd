import type { IDataObject } from 'n8n-workflow';

import type { Answer } from '../completion/types';
import type { ItemSettings } from './item-request';

/**
 * The documented output item: the same keys in the same order for every answer, so downstream
 * nodes can map fields once. `extra` holds endpoint-specific fields (Search's citations, links),
 * placed right after `content`.
 */
export function toOutputJson(answer: Answer, settings: ItemSettings, extra: IDataObject = {}): IDataObject {
	const json: IDataObject = {
		content: answer.content,
		...extra,
		role: answer.role,
		finishReason: answer.finishReason,
		model: answer.model,
		usage: answer.usage as IDataObject | null,
		filtered: answer.filtered,
		filter: answer.filter as IDataObject | null,
		id: answer.id,
		created: answer.created,
	};
	if (!settings.simplify) json.raw = answer.raw as IDataObject;
	return json;
}
