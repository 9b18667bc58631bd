/**
 * Reasoning models on demand: `[[think form=F chars=N text=<base64url> piece=N cut=K stall-ms=N]]`
 * makes the answer come after a thought, sent the way such models send it:
 *   tags               `<think>…</think>answer` in content (DeepSeek R1, Qwen3, QwQ through llama.cpp)
 *   open-less          `…</think>answer`: the chat template opened the block (DeepSeek R1 0528, Qwen3 Thinking)
 *   reasoning_content  the thought in its own field, in the message and in stream deltas (DeepSeek API)
 *   reasoning          the same in `reasoning` (vLLM ≥ 0.10, Ollama, OpenRouter)
 *   command-r          `<|START_THINKING|>…<|END_THINKING|><|START_RESPONSE|>answer<|END_RESPONSE|>` (Command R7B)
 *   harmony            `<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>answer<|return|>` (GPT-OSS)
 * The framings are those of the public parser tests: vllm-project/vllm tests/reasoning/
 * test_deepseekr1_reasoning_parser.py (SIMPLE_REASONING, REASONING_WITH_THINK) and
 * test_gptoss_reasoning_parser.py (BASIC_CONTENT), ggml-org/llama.cpp tests/test-chat.cpp
 * (Command R7B: `<|START_THINKING|>I'm\nthinking<|END_THINKING|><|START_RESPONSE|>Hello, world!…<|END_RESPONSE|>`).
 * `chars` sets the thought's length (a DeepSeek-style monologue), `text` the thought itself. A
 * stream sends framed text in pieces of `piece` characters (default 4) after a first piece of
 * `cut` characters, so a test can cut every tag at every position; a field's thought goes in
 * pieces of `piece` too. `stall-ms` pauses after the thought, before the answer; `filter=1` ends the
 * stream there with the content filter's error event.
 */
import { num, type Directives } from './directives';

export const THINK_FORMS = ['tags', 'open-less', 'reasoning_content', 'reasoning', 'command-r', 'harmony'] as const;
export type ThinkForm = (typeof THINK_FORMS)[number];

export interface Thinking {
	form: ThinkForm;
	thought: string;
	piece: number;
	cut: number;
	stallMs: number;
	/** `filter=1`: the content filter stops the stream right after the thought. */
	filter: boolean;
}

/** A thought as DeepSeek R1 writes one, repeated to the length asked for. */
const MONOLOGUE =
	'Okay, so the user is asking me this. Hmm, let me think about it step by step. First, I should check what they mean. Wait, maybe there is more to it. ';

export function readThinking(directives: Directives): Thinking | undefined {
	const args = directives.get('think');
	if (!args) return undefined;
	const form = (THINK_FORMS as readonly string[]).includes(args.form) ? (args.form as ThinkForm) : 'tags';
	const thought =
		args.text !== undefined
			? Buffer.from(args.text, 'base64url').toString('utf8')
			: MONOLOGUE.repeat(Math.ceil(num(args, 'chars', 120) / MONOLOGUE.length)).slice(0, num(args, 'chars', 120));
	return { form, thought, piece: Math.max(1, num(args, 'piece', 4)), cut: Math.max(0, num(args, 'cut', 0)), stallMs: num(args, 'stall-ms', 0), filter: args.filter === '1' };
}

/** The field a form sends its thought in, if it has one. */
export function thoughtField(form: ThinkForm): 'reasoning_content' | 'reasoning' | undefined {
	return form === 'reasoning_content' || form === 'reasoning' ? form : undefined;
}

/** The content a framing form sends: thought and answer in the model's own tags. */
export function framed(form: ThinkForm, thought: string, answer: string): string {
	switch (form) {
		case 'tags':
			return `<think>\n${thought}\n</think>\n\n${answer}`;
		case 'open-less':
			return `${thought}\n</think>\n\n${answer}`;
		case 'command-r':
			return `<|START_THINKING|>${thought}<|END_THINKING|><|START_RESPONSE|>${answer}<|END_RESPONSE|>`;
		case 'harmony':
			return `<|channel|>analysis<|message|>${thought}<|end|><|start|>assistant<|channel|>final<|message|>${answer}<|return|>`;
		default:
			return answer;
	}
}

/** The message of a non-streamed answer. */
export function thinkingMessage(thinking: Thinking, answer: string): Record<string, unknown> {
	const field = thoughtField(thinking.form);
	return field
		? { role: 'assistant', content: answer, [field]: thinking.thought }
		: { role: 'assistant', content: framed(thinking.form, thinking.thought, answer) };
}

/** The deltas of a streamed answer, in order; `thoughtEnd` is the index of the first delta after the thought. */
export function thinkingDeltas(thinking: Thinking, answer: string): { deltas: Array<Record<string, unknown>>; thoughtEnd: number } {
	const field = thoughtField(thinking.form);
	if (field) {
		const thought = pieces(thinking.thought, thinking.cut, thinking.piece).map((piece) => ({ [field]: piece }));
		const rest = answer.split(/(?= )/).map((token) => ({ content: token }));
		return { deltas: [...thought, ...rest], thoughtEnd: thought.length };
	}
	const text = framed(thinking.form, thinking.thought, answer);
	const deltas = pieces(text, thinking.cut, thinking.piece).map((piece) => ({ content: piece }));
	// The first piece that holds part of the answer.
	const answerAt = text.length - answer.length - (thinking.form === 'command-r' ? '<|END_RESPONSE|>'.length : thinking.form === 'harmony' ? '<|return|>'.length : 0);
	let at = 0;
	let thoughtEnd = deltas.length;
	for (const [i, delta] of deltas.entries()) {
		at += (delta.content as string).length;
		if (at > answerAt) {
			thoughtEnd = i;
			break;
		}
	}
	return { deltas, thoughtEnd };
}

/** The thought's tokens, for usage: one per piece, as a tokenizer would count them roughly. */
export function reasoningTokens(thinking: Thinking): number {
	return pieces(thinking.thought, 0, thinking.piece).length;
}

function pieces(text: string, cut: number, size: number): string[] {
	const out: string[] = [];
	if (cut > 0) out.push(text.slice(0, cut));
	for (let i = Math.min(cut, text.length); i < text.length; i += size) out.push(text.slice(i, i + size));
	return out;
}
