import type { INodeProperties } from 'n8n-workflow';

/**
 * For reasoning models whose chat template opens the thought (`<think>`) itself, so their text
 * starts with the thought and only a closing `</think>` ends it. A finished answer is split either
 * way; a stream cannot know it until `</think>` comes, so it needs to be told to wait for it.
 */
export const thoughtStartsOpenOption: INodeProperties = {
	displayName: 'Thought Starts Open',
	name: 'thoughtStartsOpen',
	type: 'boolean',
	default: false,
	description:
		"Whether the model's answers start inside its thought, with only a closing &lt;/think&gt; before the answer (DeepSeek R1, Qwen3 Thinking, QwQ behind some servers). Only matters when streaming: then nothing reaches the chat before &lt;/think&gt; (and if none comes, the whole text is the answer, sent at the end). The thought goes to the reasoning field either way.",
};
