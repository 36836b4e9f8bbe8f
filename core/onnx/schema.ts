import protobuf from "protobufjs";

// The ONNX IR (onnx/onnx onnx.proto, proto2) as a protobufjs descriptor, written out field by field.
// Every field of the messages a model file can hold is declared, so a read-modify-write keeps
// everything exporters emit (protobufjs drops fields it has no declaration for).
type FieldSpec = [name: string, id: number, type: string, rule?: "repeated"];

function message(fields: FieldSpec[], nested?: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [name, id, type, rule] of fields) {
    const scalar = !/^[A-Z]/.test(type) && type !== "string" && type !== "bytes";
    out[name] = { id, type, ...(rule ? { rule } : {}), ...(rule && scalar ? { options: { packed: false } } : {}) };
  }
  return { edition: "proto2", fields: out, ...(nested ? { nested } : {}) };
}

const descriptor = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: message([
          ["key", 1, "string"],
          ["value", 2, "string"],
        ]),
        OperatorSetIdProto: message([
          ["domain", 1, "string"],
          ["version", 2, "int64"],
        ]),
        AttributeProto: message([
          ["name", 1, "string"],
          ["refAttrName", 21, "string"],
          ["docString", 13, "string"],
          ["type", 20, "int32"],
          ["f", 2, "float"],
          ["i", 3, "int64"],
          ["s", 4, "bytes"],
          ["t", 5, "TensorProto"],
          ["g", 6, "GraphProto"],
          ["sparseTensor", 22, "SparseTensorProto"],
          ["tp", 14, "TypeProto"],
          ["floats", 7, "float", "repeated"],
          ["ints", 8, "int64", "repeated"],
          ["strings", 9, "bytes", "repeated"],
          ["tensors", 10, "TensorProto", "repeated"],
          ["graphs", 11, "GraphProto", "repeated"],
          ["sparseTensors", 23, "SparseTensorProto", "repeated"],
          ["typeProtos", 15, "TypeProto", "repeated"],
        ]),
        ValueInfoProto: message([
          ["name", 1, "string"],
          ["type", 2, "TypeProto"],
          ["docString", 3, "string"],
          ["metadataProps", 4, "StringStringEntryProto", "repeated"],
        ]),
        NodeProto: message([
          ["input", 1, "string", "repeated"],
          ["output", 2, "string", "repeated"],
          ["name", 3, "string"],
          ["opType", 4, "string"],
          ["domain", 7, "string"],
          ["overload", 8, "string"],
          ["attribute", 5, "AttributeProto", "repeated"],
          ["docString", 6, "string"],
          ["metadataProps", 9, "StringStringEntryProto", "repeated"],
          ["deviceConfigurations", 10, "NodeDeviceConfigurationProto", "repeated"],
        ]),
        IntIntListEntryProto: message([
          ["key", 1, "int64"],
          ["value", 2, "int64", "repeated"],
        ]),
        ShardedDimProto: message([
          ["axis", 1, "int64"],
          ["simpleSharding", 2, "SimpleShardedDimProto", "repeated"],
        ]),
        SimpleShardedDimProto: message([
          ["dimValue", 1, "int64"],
          ["dimParam", 2, "string"],
          ["numShards", 3, "int64"],
        ]),
        ShardingSpecProto: message([
          ["tensorName", 1, "string"],
          ["device", 2, "int64", "repeated"],
          ["indexToDeviceGroupMap", 3, "IntIntListEntryProto", "repeated"],
          ["shardedDim", 4, "ShardedDimProto", "repeated"],
        ]),
        NodeDeviceConfigurationProto: message([
          ["configurationId", 1, "string"],
          ["shardingSpec", 2, "ShardingSpecProto", "repeated"],
          ["pipelineStage", 3, "int32"],
        ]),
        DeviceConfigurationProto: message([
          ["name", 1, "string"],
          ["numDevices", 2, "int32"],
          ["device", 3, "string", "repeated"],
        ]),
        TrainingInfoProto: message([
          ["initialization", 1, "GraphProto"],
          ["algorithm", 2, "GraphProto"],
          ["initializationBinding", 3, "StringStringEntryProto", "repeated"],
          ["updateBinding", 4, "StringStringEntryProto", "repeated"],
        ]),
        ModelProto: message([
          ["irVersion", 1, "int64"],
          ["opsetImport", 8, "OperatorSetIdProto", "repeated"],
          ["producerName", 2, "string"],
          ["producerVersion", 3, "string"],
          ["domain", 4, "string"],
          ["modelVersion", 5, "int64"],
          ["docString", 6, "string"],
          ["graph", 7, "GraphProto"],
          ["metadataProps", 14, "StringStringEntryProto", "repeated"],
          ["trainingInfo", 20, "TrainingInfoProto", "repeated"],
          ["functions", 25, "FunctionProto", "repeated"],
          ["configuration", 26, "DeviceConfigurationProto", "repeated"],
        ]),
        TensorAnnotation: message([
          ["tensorName", 1, "string"],
          ["quantParameterTensorNames", 2, "StringStringEntryProto", "repeated"],
        ]),
        GraphProto: message([
          ["node", 1, "NodeProto", "repeated"],
          ["name", 2, "string"],
          ["initializer", 5, "TensorProto", "repeated"],
          ["sparseInitializer", 15, "SparseTensorProto", "repeated"],
          ["docString", 10, "string"],
          ["input", 11, "ValueInfoProto", "repeated"],
          ["output", 12, "ValueInfoProto", "repeated"],
          ["valueInfo", 13, "ValueInfoProto", "repeated"],
          ["quantizationAnnotation", 14, "TensorAnnotation", "repeated"],
          ["metadataProps", 16, "StringStringEntryProto", "repeated"],
        ]),
        TensorProto: message(
          [
            ["dims", 1, "int64", "repeated"],
            ["dataType", 2, "int32"],
            ["segment", 3, "TensorProto.Segment"],
            ["floatData", 4, "float", "repeated"],
            ["int32Data", 5, "int32", "repeated"],
            ["stringData", 6, "bytes", "repeated"],
            ["int64Data", 7, "int64", "repeated"],
            ["name", 8, "string"],
            ["docString", 12, "string"],
            ["rawData", 9, "bytes"],
            ["externalData", 13, "StringStringEntryProto", "repeated"],
            ["dataLocation", 14, "int32"],
            ["doubleData", 10, "double", "repeated"],
            ["uint64Data", 11, "uint64", "repeated"],
            ["metadataProps", 16, "StringStringEntryProto", "repeated"],
          ],
          {
            Segment: message([
              ["begin", 1, "int64"],
              ["end", 2, "int64"],
            ]),
          },
        ),
        SparseTensorProto: message([
          ["values", 1, "TensorProto"],
          ["indices", 2, "TensorProto"],
          ["dims", 3, "int64", "repeated"],
        ]),
        TensorShapeProto: message([["dim", 1, "TensorShapeProto.Dimension", "repeated"]], {
          Dimension: {
            ...message([
              ["dimValue", 1, "int64"],
              ["dimParam", 2, "string"],
              ["denotation", 3, "string"],
            ]),
            oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
          },
        }),
        TypeProto: {
          ...message(
            [
              ["tensorType", 1, "TypeProto.Tensor"],
              ["sequenceType", 4, "TypeProto.Sequence"],
              ["mapType", 5, "TypeProto.Map"],
              ["optionalType", 9, "TypeProto.Optional"],
              ["sparseTensorType", 8, "TypeProto.SparseTensor"],
              ["denotation", 6, "string"],
            ],
            {
              Tensor: message([
                ["elemType", 1, "int32"],
                ["shape", 2, "TensorShapeProto"],
              ]),
              Sequence: message([["elemType", 1, "TypeProto"]]),
              Map: message([
                ["keyType", 1, "int32"],
                ["valueType", 2, "TypeProto"],
              ]),
              Optional: message([["elemType", 1, "TypeProto"]]),
              SparseTensor: message([
                ["elemType", 1, "int32"],
                ["shape", 2, "TensorShapeProto"],
              ]),
            },
          ),
          oneofs: { value: { oneof: ["tensorType", "sequenceType", "mapType", "optionalType", "sparseTensorType"] } },
        },
        FunctionProto: message([
          ["name", 1, "string"],
          ["input", 4, "string", "repeated"],
          ["output", 5, "string", "repeated"],
          ["attribute", 6, "string", "repeated"],
          ["attributeProto", 11, "AttributeProto", "repeated"],
          ["node", 7, "NodeProto", "repeated"],
          ["docString", 8, "string"],
          ["opsetImport", 9, "OperatorSetIdProto", "repeated"],
          ["domain", 10, "string"],
          ["overload", 13, "string"],
          ["valueInfo", 12, "ValueInfoProto", "repeated"],
          ["metadataProps", 14, "StringStringEntryProto", "repeated"],
        ]),
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

/** The protobufjs type of `onnx.ModelProto`, built from the descriptor above. */
export const ModelProtoType = root.lookupType("onnx.ModelProto");

/** Decodes a ModelProto keeping fields this schema does not declare (written back as they were by encode). */
export function decodeModelProto(bytes: Uint8Array): protobuf.Message {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  return ModelProtoType.decode(reader);
}
