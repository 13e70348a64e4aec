package dev.lmuformer.io;


import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for what {@code torch.save} writes of a state_dict, and nothing more. It never
 * calls anything a file names: a global is a token, and only the tensor rebuild functions, the
 * storage classes and {@code collections.OrderedDict} are accepted; every other global (such as
 * {@code os.system}) stops the read at once. Tensors are returned as references into storages,
 * which the caller reads and checks.
 *
 * <p>Values: None is {@code null}; bool, int, float, str, bytes are Boolean, Long (BigInteger
 * beyond 64 bits), Double, String, byte[]; a tuple is an unmodifiable List, a list an ArrayList,
 * a dict a LinkedHashMap whose keys are scalars.
 */
final class RestrictedUnpickler {
    /** An accepted global, e.g. {@code torch._utils._rebuild_tensor_v2}. */
    record Global(String module, String name) {
    }

    /** A storage named by a persistent id: element type, key of its bytes, and length in elements. */
    record StorageRef(Dtype dtype, String key, long numel) {
    }

    /** A tensor over a storage: offset, shape and strides in elements. */
    record TensorRef(StorageRef storage, long offset, int[] shape, long[] stride) {
    }

    private static final Set<String> CALLABLES = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter");
    /** Integers wider than this are refused (the legacy format's magic number is 10 bytes). */
    private static final int MAX_LONG_BYTES = 16;

    private final String source;
    private final byte[] in;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    private RestrictedUnpickler(String source, byte[] in, int start) {
        this.source = source;
        this.in = in;
        this.pos = start;
    }

    /** Reads the pickle in {@code bytes}; {@code source} names it in errors. */
    static Object load(String source, byte[] bytes) {
        return new RestrictedUnpickler(source, bytes, 0).next();
    }

    /** An unpickler for pickles that follow one another in {@code bytes} from {@code start} (the legacy format). */
    static RestrictedUnpickler at(String source, byte[] bytes, int start) {
        return new RestrictedUnpickler(source, bytes, start);
    }

    /** Where the next pickle (or whatever follows the last one) starts. */
    int position() {
        return pos;
    }

    private PthFormatException error(String problem) {
        return new PthFormatException(source + ": " + problem);
    }

    /** The storages that persistent ids have named so far, by key. */
    Map<String, StorageRef> storages() {
        return Collections.unmodifiableMap(storages);
    }

    /** Reads one pickle from the current position. */
    Object next() {
        stack.clear();
        marks.clear();
        memo.clear();
        while (true) {
            int at = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) throw error("unsupported pickle protocol " + v);
                }
                case 0x95 -> take(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) throw error("pickle ends with " + stack.size() + " values on its stack");
                    return stack.get(0);
                }
                case '(' -> marks.add(stack.size());
                case '}' -> stack.add(new LinkedHashMap<>());
                case ']' -> stack.add(new ArrayList<>());
                case ')' -> stack.add(List.of());
                case 't' -> stack.add(tuple(popMark()));
                case 0x85 -> stack.add(tuple(popN(1)));
                case 0x86 -> stack.add(tuple(popN(2)));
                case 0x87 -> stack.add(tuple(popN(3)));
                case 'l' -> stack.add(new ArrayList<>(popMark()));
                case 'd' -> {
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putPairs(d, popMark());
                    stack.add(d);
                }
                case 's' -> {
                    List<Object> kv = popN(2);
                    putPairs(dictAt(stack.size() - 1), kv);
                }
                case 'u' -> {
                    List<Object> kv = popMark();
                    putPairs(dictAt(stack.size() - 1), kv);
                }
                case 'a' -> listAt(stack.size() - 2).add(pop());
                case 'e' -> {
                    List<Object> items = popMark();
                    listAt(stack.size() - 1).addAll(items);
                }
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(u32(), peek());
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> stack.add(memoGet(u8()));
                case 'j' -> stack.add(memoGet(u32()));
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (u8() | u8() << 8));
                case 'J' -> stack.add((long) (int) u32());
                case 0x8a -> stack.add(longOf(u8()));
                case 0x8b -> stack.add(longOf(u32()));
                case 'G' -> stack.add(Double.longBitsToDouble(new BigInteger(1, take(8)).longValue()));
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'X' -> stack.add(utf8(u32()));
                case 0x8c -> stack.add(utf8(u8()));
                case 0x8d -> stack.add(utf8(u64()));
                case 'T' -> stack.add(latin1(u32())); // Python 2 str
                case 'U' -> stack.add(latin1(u8()));
                case 'B' -> stack.add(take(u32()));
                case 'C' -> stack.add(take(u8()));
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> stack.add(peek());
                case 'c' -> stack.add(global(line(), line()));
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) throw error("STACK_GLOBAL of non-strings at byte " + at);
                    stack.add(global(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    stack.add(reduce(callable, args, at));
                }
                case 'b' -> build(at);
                case 'Q' -> stack.add(persistent(pop(), at));
                default -> throw error(String.format("unsupported pickle opcode 0x%02x at byte %d", op, at));
            }
        }
    }

    private Object global(String module, String name) {
        String full = module + "." + name;
        boolean storage = module.equals("torch") && TorchStorage.dtype(name) != null;
        if (!storage && !CALLABLES.contains(full)) {
            throw error("forbidden global " + Excerpt.of(full) + ": a state_dict holds only tensors, and this file would run it when unpickled");
        }
        return new Global(module, name);
    }

    private Object reduce(Object callable, Object args, int at) {
        if (!(callable instanceof Global g)) throw error("REDUCE of a non-callable " + typeName(callable) + " at byte " + at);
        List<Object> a = tupleArg(args, g);
        switch (g.module() + "." + g.name()) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) throw error("OrderedDict with arguments at byte " + at);
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (a.size() < 6 || a.size() > 7) throw error("_rebuild_tensor_v2 with " + a.size() + " arguments at byte " + at);
                if (!(a.get(0) instanceof StorageRef s)) throw error("_rebuild_tensor_v2 without a storage at byte " + at);
                return tensor(s, a.get(1), a.get(2), a.get(3), at);
            }
            case "torch._utils._rebuild_parameter" -> {
                if (a.size() != 3 || !(a.get(0) instanceof TensorRef t)) throw error("malformed _rebuild_parameter at byte " + at);
                return t;
            }
            default -> throw error(Excerpt.of(g.module() + "." + g.name()) + " cannot be called (byte " + at + ")");
        }
    }

    private TensorRef tensor(StorageRef s, Object offsetArg, Object sizeArg, Object strideArg, int at) {
        long offset = asLong(offsetArg, "storage offset");
        int[] shape = ints(sizeArg, "size");
        long[] stride = new long[shape.length];
        int[] strideInts = ints(strideArg, "stride");
        if (strideInts.length != shape.length) throw error("tensor at byte " + at + " has " + shape.length + " sizes but " + strideInts.length + " strides");
        long numel = 1;
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            stride[i] = strideInts[i];
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE) throw error("tensor at byte " + at + " is too large: " + Arrays.toString(shape));
            if (shape[i] > 0) last += (long) (shape[i] - 1) * stride[i];
        }
        if (offset < 0 || numel > 0 && last >= s.numel()) {
            throw error("tensor " + Arrays.toString(shape) + " at offset " + offset + " reaches past its storage " + Excerpt.of(s.key()) + " of " + s.numel()
                    + " elements");
        }
        return new TensorRef(s, offset, shape, stride);
    }

    private int[] ints(Object tuple, String what) {
        if (!(tuple instanceof List<?> l)) throw error("tensor " + what + " is a " + typeName(tuple) + ", not a tuple");
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            long v = asLong(l.get(i), what);
            if (v < 0 || v > Integer.MAX_VALUE) throw error("tensor " + what + " " + v + " out of range");
            out[i] = (int) v;
        }
        return out;
    }

    private long asLong(Object o, String what) {
        if (o instanceof Long l) return l;
        throw error(what + " is a " + typeName(o) + ", not an integer");
    }

    private void build(int at) {
        Object state = pop();
        Object target = peek();
        // OrderedDict state_dicts carry their '_metadata' (module versions) as instance state.
        if (!(target instanceof Map) || !(state == null || state instanceof Map)) {
            throw error("BUILD of a " + typeName(target) + " at byte " + at + " (only dicts may take state)");
        }
    }

    private StorageRef persistent(Object pid, int at) {
        if (!(pid instanceof List<?> t) || (t.size() != 5 && t.size() != 6) || !"storage".equals(t.get(0))) {
            throw error("persistent id at byte " + at + " is not a storage reference");
        }
        if (!(t.get(1) instanceof Global g) || TorchStorage.dtype(g.name()) == null || !g.module().equals("torch")) {
            throw error("persistent id at byte " + at + " names no storage class");
        }
        if (!(t.get(2) instanceof String key)) throw error("storage key at byte " + at + " is not a string");
        long numel = asLong(t.get(4), "storage size");
        if (t.size() == 6 && t.get(5) != null) throw error("storage views (legacy format) are not supported");
        Dtype dtype = TorchStorage.dtype(g.name());
        if (numel < 0 || numel > Integer.MAX_VALUE / dtype.width()) throw error("storage " + Excerpt.of(key) + " has an impossible size " + numel);
        StorageRef ref = new StorageRef(dtype, key, numel);
        StorageRef earlier = storages.putIfAbsent(key, ref);
        if (earlier != null && !earlier.equals(ref)) throw error("storage " + Excerpt.of(key) + " is named with two types or sizes");
        return ref;
    }

    private List<Object> tupleArg(Object args, Global g) {
        if (!(args instanceof List<?> l)) throw error("arguments of " + g.name() + " are not a tuple");
        return Collections.unmodifiableList(l);
    }

    private void putPairs(Map<Object, Object> d, List<Object> kv) {
        if (kv.size() % 2 != 0) throw error("odd number of dict items");
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            // Scalar keys only: hashing deep or self-containing containers could run out of stack.
            if (!(k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double || k instanceof BigInteger)) {
                throw error("dict key of type " + typeName(k));
            }
            d.put(k, kv.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictAt(int i) {
        if (i < 0 || !(stack.get(i) instanceof LinkedHashMap)) throw error("SETITEM on a " + (i < 0 ? "missing value" : typeName(stack.get(i))));
        return (Map<Object, Object>) stack.get(i);
    }

    @SuppressWarnings("unchecked")
    private List<Object> listAt(int i) {
        if (i < 0 || !(stack.get(i) instanceof ArrayList)) throw error("APPEND to a " + (i < 0 ? "missing value" : typeName(stack.get(i))));
        return (List<Object>) stack.get(i);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof List<?> l) return l instanceof ArrayList ? "list" : "tuple";
        if (o instanceof Map) return "dict";
        if (o instanceof Global g) return "global " + g.module() + "." + g.name();
        return o.getClass().getSimpleName();
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw error("pickle stack underflow at byte " + (pos - 1));
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) throw error("pickle stack underflow at byte " + (pos - 1));
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        return Arrays.asList(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw error("pickle has no MARK to close at byte " + (pos - 1));
        int m = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) throw error("pickle memo has no entry " + key);
        return memo.get(key);
    }

    private Object longOf(long n) {
        if (n > MAX_LONG_BYTES) throw error("integer of " + n + " bytes");
        byte[] le = take(n);
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = be.length == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(long n) {
        return new String(take(n), StandardCharsets.UTF_8);
    }

    private String latin1(long n) {
        return new String(take(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start > 256) throw error("global name longer than 256 bytes at byte " + start);
            pos++;
        }
        if (pos >= in.length) throw error("pickle truncated at byte " + pos);
        return new String(in, start, pos++ - start, StandardCharsets.UTF_8);
    }

    private byte[] take(long n) {
        if (n < 0 || n > in.length - pos) throw error("pickle truncated: " + n + " bytes wanted at byte " + pos + " of " + in.length);
        byte[] out = Arrays.copyOfRange(in, pos, pos + (int) n);
        pos += (int) n;
        return out;
    }

    private int u8() {
        if (pos >= in.length) throw error("pickle truncated at byte " + pos);
        return in[pos++] & 0xff;
    }

    private long u32() {
        return u8() | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24;
    }

    private long u64() {
        long lo = u32();
        long hi = u32();
        if (hi != 0) throw error("pickle length over 4 GiB at byte " + pos);
        return lo;
    }
}
