/**
 * Small, typed readers over onnx-proto's decoded messages: attributes by name, constant tensors as
 * numbers, and who produces or consumes a tensor. protobufjs decodes int64 fields as `Long` objects
 * (the `long` package is installed), so every integer goes through `toInteger`.
 */
import onnxProto from 'onnx-proto';

/** The onnx-proto namespace (`ModelProto`, `GraphProto`, ...). onnx-proto is CommonJS, hence the default import. */
export const onnx = onnxProto.onnx;

/** A decoded ONNX model. */
export type ModelProto = onnxProto.onnx.IModelProto;
/** A decoded ONNX graph. */
export type GraphProto = onnxProto.onnx.IGraphProto;
/** A decoded ONNX node. */
export type NodeProto = onnxProto.onnx.INodeProto;
/** A decoded ONNX tensor. */
export type TensorProto = onnxProto.onnx.ITensorProto;

type IntegerLike = number | { toNumber(): number } | null | undefined;

/** Converts a protobuf integer (number or Long) to a JS number. */
export function toInteger(value: IntegerLike): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

const textDecoder = new TextDecoder();

/** Finds a node's attribute by name. */
export function findAttribute(node: NodeProto, name: string): onnxProto.onnx.IAttributeProto | undefined {
  return node.attribute?.find((attribute) => attribute.name === name) ?? undefined;
}

/** A string attribute (`s`), or `fallback` when the node does not carry it. */
export function stringAttribute(node: NodeProto, name: string, fallback: string): string {
  const attribute = findAttribute(node, name);
  return attribute?.s ? textDecoder.decode(attribute.s) : fallback;
}

/** A list-of-strings attribute (`strings`). */
export function stringsAttribute(node: NodeProto, name: string): string[] {
  return (findAttribute(node, name)?.strings ?? []).map((bytes) => textDecoder.decode(bytes));
}

/** An integer attribute (`i`), or `fallback`. */
export function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute && attribute.i !== null && attribute.i !== undefined ? toInteger(attribute.i) : fallback;
}

/** A float attribute (`f`), or `fallback`. */
export function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute && typeof attribute.f === 'number' ? attribute.f : fallback;
}

/** A list-of-integers attribute (`ints`). */
export function intsAttribute(node: NodeProto, name: string): number[] {
  return (findAttribute(node, name)?.ints ?? []).map(toInteger);
}

/**
 * A list of reals, read from `name` (`floats`) or, when absent, from the opset-3 tensor form
 * `name_as_tensor` (float or double), which exporters use to keep double precision.
 */
export function realsAttribute(node: NodeProto, name: string): number[] {
  const floats = findAttribute(node, name)?.floats;
  if (floats && floats.length > 0) return Array.from(floats);
  const tensor = findAttribute(node, `${name}_as_tensor`)?.t;
  return tensor ? tensorToNumbers(tensor) : [];
}

/** The values of a numeric tensor (float, double, int32, int64), whether stored typed or as raw bytes. */
export function tensorToNumbers(tensor: TensorProto): number[] {
  const type = tensor.dataType ?? 0;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    // Copy into an aligned buffer: rawData is a view into the file and may start at any offset.
    const view = new DataView(Uint8Array.from(raw).buffer);
    const values: number[] = [];
    if (type === onnx.TensorProto.DataType.FLOAT) for (let o = 0; o + 4 <= raw.length; o += 4) values.push(view.getFloat32(o, true));
    else if (type === onnx.TensorProto.DataType.DOUBLE) for (let o = 0; o + 8 <= raw.length; o += 8) values.push(view.getFloat64(o, true));
    else if (type === onnx.TensorProto.DataType.INT32) for (let o = 0; o + 4 <= raw.length; o += 4) values.push(view.getInt32(o, true));
    else if (type === onnx.TensorProto.DataType.INT64) for (let o = 0; o + 8 <= raw.length; o += 8) values.push(Number(view.getBigInt64(o, true)));
    return values;
  }
  if (tensor.floatData && tensor.floatData.length > 0) return Array.from(tensor.floatData);
  if (tensor.doubleData && tensor.doubleData.length > 0) return Array.from(tensor.doubleData);
  if (tensor.int32Data && tensor.int32Data.length > 0) return Array.from(tensor.int32Data);
  if (tensor.int64Data && tensor.int64Data.length > 0) return tensor.int64Data.map(toInteger);
  return [];
}

/** The dims of a tensor as numbers. */
export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map(toInteger);
}

/**
 * The value of a constant tensor named `name`: a graph initializer or the output of a `Constant`
 * node. `undefined` when `name` is computed at run time.
 */
export function constantValue(graph: GraphProto, name: string): { values: number[]; dims: number[] } | undefined {
  const initializer = graph.initializer?.find((tensor) => tensor.name === name);
  if (initializer) return { values: tensorToNumbers(initializer), dims: tensorDims(initializer) };
  const producer = producerOf(graph, name);
  if (producer?.opType === 'Constant') {
    const tensor = findAttribute(producer, 'value')?.t;
    if (tensor) return { values: tensorToNumbers(tensor), dims: tensorDims(tensor) };
    const single = findAttribute(producer, 'value_float')?.f;
    if (typeof single === 'number') return { values: [single], dims: [] };
    const many = findAttribute(producer, 'value_floats')?.floats;
    if (many) return { values: Array.from(many), dims: [many.length] };
  }
  return undefined;
}

/** The node that outputs tensor `name`. */
export function producerOf(graph: GraphProto, name: string): NodeProto | undefined {
  return graph.node?.find((node) => node.output?.includes(name)) ?? undefined;
}

/** The nodes that read tensor `name`. */
export function consumersOf(graph: GraphProto, name: string): NodeProto[] {
  return (graph.node ?? []).filter((node) => node.input?.includes(name));
}

/** The graph's real inputs: older exporters also list every initializer as an input. */
export function graphInputNames(graph: GraphProto): string[] {
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  return (graph.input ?? []).map((input) => input.name ?? '').filter((name) => !initializers.has(name));
}
