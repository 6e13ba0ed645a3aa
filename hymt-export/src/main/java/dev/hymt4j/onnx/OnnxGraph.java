package dev.hymt4j.onnx;

import com.google.protobuf.ByteString;
import dev.hymt4j.onnx.proto.OnnxProto.AttributeProto;
import dev.hymt4j.onnx.proto.OnnxProto.GraphProto;
import dev.hymt4j.onnx.proto.OnnxProto.NodeProto;
import dev.hymt4j.onnx.proto.OnnxProto.TensorProto;
import dev.hymt4j.onnx.proto.OnnxProto.TensorShapeProto;
import dev.hymt4j.onnx.proto.OnnxProto.TypeProto;
import dev.hymt4j.onnx.proto.OnnxProto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A small builder over the ONNX protobuf: nodes with generated unique output names, typed graph inputs and
 * outputs with symbolic dimensions, scalar/vector constants. Weights go through {@link OnnxInitializers}.
 */
final class OnnxGraph {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    static final String MICROSOFT = "com.microsoft";

    final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> constants = new HashMap<>();

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A fresh value name {@code prefix_N}. */
    String fresh(String prefix) {
        int n = counters.merge(prefix, 1, Integer::sum);
        return n == 1 ? prefix : prefix + "_" + (n - 1);
    }

    /** Adds a node and returns its (single) output name, {@code out} made unique. */
    String op(String type, String out, String[] inputs, AttributeProto... attrs) {
        String name = fresh(out);
        node(type, "", new String[]{name}, inputs, attrs);
        return name;
    }

    void node(String type, String domain, String[] outputs, String[] inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(fresh("/" + type));
        if (!domain.isEmpty()) n.setDomain(domain);
        for (String i : inputs) n.addInput(i);
        for (String o : outputs) n.addOutput(o);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto attr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    /** An int64 constant (vector; {@code scalar} for a 0-d tensor), shared by value. */
    String ints(boolean scalar, long... values) {
        String key = "i" + scalar + java.util.Arrays.toString(values);
        return constants.computeIfAbsent(key, k -> {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) b.putLong(v);
            TensorProto.Builder t = TensorProto.newBuilder().setDataType(INT64).setRawData(ByteString.copyFrom(b.array()));
            if (!scalar) t.addDims(values.length);
            return constantNode(t.build(), "const_i64");
        });
    }

    /** A float32 constant of shape {@code dims} (empty: scalar), shared by value. */
    String floats(long[] dims, float... values) {
        String key = "f" + java.util.Arrays.toString(dims) + java.util.Arrays.toString(values);
        return constants.computeIfAbsent(key, k -> {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) b.putFloat(v);
            TensorProto.Builder t = TensorProto.newBuilder().setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()));
            for (long d : dims) t.addDims(d);
            return constantNode(t.build(), "const_f32");
        });
    }

    private String constantNode(TensorProto value, String prefix) {
        String name = fresh(prefix);
        node("Constant", "", new String[]{name}, new String[0], attr("value", value));
        return name;
    }

    /** A dimension: a number, or a symbolic name. */
    record Dim(long value, String param) {
        static Dim of(long v) {
            return new Dim(v, null);
        }

        static Dim of(String p) {
            return new Dim(0, p);
        }
    }

    static ValueInfoProto valueInfo(String name, int elemType, Dim... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim d : dims) {
            TensorShapeProto.Dimension.Builder x = TensorShapeProto.Dimension.newBuilder();
            if (d.param() != null) x.setDimParam(d.param());
            else x.setDimValue(d.value());
            shape.addDim(x);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    void input(String name, int elemType, Dim... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
    }

    void output(String name, int elemType, Dim... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    // ---------------------------------------------------------------- common sub-graphs

    String mul(String a, String b) {
        return op("Mul", "mul", new String[]{a, b});
    }

    String add(String a, String b) {
        return op("Add", "add", new String[]{a, b});
    }

    String reshape(String x, String shape) {
        return op("Reshape", "reshape", new String[]{x, shape});
    }

    String transpose(String x, long... perm) {
        return op("Transpose", "transpose", new String[]{x}, attr("perm", perm));
    }
}
