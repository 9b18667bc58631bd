import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';

/**
 * A start node for test and demo workflows: it outputs the items in its `items` parameter
 * (a JSON array of objects), the way a feed or a spreadsheet node would.
 */
export class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: 'itemsSource',
		group: ['input'],
		version: 1,
		description: 'Outputs fixed items',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | object[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as object[];
		return [items.map((json) => ({ json: json as INodeExecutionData['json'] }))];
	}
}

/** The node registry WorkflowExecute resolves `type` names against. */
export class NodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}

	getByName(name: string): INodeType | IVersionedNodeType {
		return this.get(name);
	}

	getByNameAndVersion(name: string): INodeType {
		return this.get(name);
	}

	getKnownTypes() {
		return {};
	}

	private get(name: string): INodeType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown node type "${name}" in the test workflow`);
		return type;
	}
}

/**
 * The description of a stand-in for one of n8n's AI nodes: a main input and output, and a
 * required `ai_languageModel` input the model sub-node plugs into, as n8n's chains and agents have.
 */
export function aiNodeDescription(node: {
	displayName: string;
	name: string;
	description: string;
	defaultName: string;
	properties?: INodeTypeDescription['properties'];
}): INodeTypeDescription {
	return {
		displayName: node.displayName,
		name: node.name,
		group: ['transform'],
		version: 1,
		description: node.description,
		defaults: { name: node.defaultName },
		inputs: ['main', { type: 'ai_languageModel', displayName: 'Model', required: true, maxConnections: 1 }],
		outputs: ['main'],
		properties: node.properties ?? [],
	};
}
