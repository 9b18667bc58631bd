import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Stand-ins for the n8n-nodes-base nodes the example workflows use, so the examples run in
 * n8n-core's engine without installing n8n-nodes-base (hundreds of dependencies). Our own nodes
 * run for real; only the nodes around them are replaced.
 */

const describe = (name: string, inputs: INodeTypeDescription['inputs']): INodeTypeDescription => ({
	displayName: name,
	name,
	group: ['transform'],
	version: [1, 1.1, 2, 3.4],
	description: `Stand-in for ${name}`,
	defaults: { name },
	inputs,
	outputs: ['main'],
	properties: [],
});

/** Manual Trigger: starts the run with one empty item. */
export class ManualTriggerStandIn implements INodeType {
	description = describe('manualTrigger', []);

	async execute(): Promise<INodeExecutionData[][]> {
		return [[{ json: {} }]];
	}
}

/** A node that fetches or computes items (RSS Read, Code): outputs fixed items instead. */
export class FixtureStandIn implements INodeType {
	description = describe('fixture', ['main']);

	// n8n calls execute() with `this` bound to its context, so the items live in a closure.
	execute: INodeType['execute'];

	constructor(items: IDataObject[]) {
		// Like RSS Read, every item comes from the one trigger item.
		this.execute = async () => [items.map((json) => ({ json, pairedItem: { item: 0 } }))];
	}
}

/**
 * Edit Fields (Set) 3.4 in its "manual mapping" mode: each assignment's value is evaluated by
 * n8n's expression engine for the item, converted to its type, and only the assigned fields are
 * kept (the node's default).
 */
export class SetStandIn implements INodeType {
	description: INodeTypeDescription = {
		...describe('set', ['main']),
		properties: [
			{ displayName: 'Fields to Set', name: 'assignments', type: 'assignmentCollection', default: {} },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((_, i) => {
				const assignments = this.getNodeParameter('assignments.assignments', i, []) as Array<{
					name: string;
					value: unknown;
					type: string;
				}>;
				const json: IDataObject = {};
				for (const { name, value, type } of assignments) {
					if (type === 'string') json[name] = value === null || value === undefined ? '' : String(value);
					else if (type === 'array' && !Array.isArray(value)) throw new Error(`${name} is not an array`);
					else json[name] = value as IDataObject;
				}
				return { json, pairedItem: { item: i } };
			}),
		];
	}
}
