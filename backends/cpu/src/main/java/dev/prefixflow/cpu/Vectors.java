package dev.prefixflow.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The vector species the kernels use, and the one reduction every dot product ends with. */
final class Vectors {

    /**
     * The float species; at least 8 lanes because the narrowest byte vector has 8 (a quantized
     * block is widened lane for lane from bytes to floats).
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 8
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    static final int L = F.length();
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 8));
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 32));

    private Vectors() {
    }

    /**
     * Bytes a[p ...] widened to int lanes, sign extended: the form in which the quantized types
     * pick their bit fields apart, since x86 has no byte shifts. A field that ends at or below bit
     * 8 comes out the same as from the unsigned byte.
     */
    static IntVector ints(byte[] a, int p) {
        return (IntVector) ByteVector.fromArray(B, a, p).castShape(I, 0);
    }

    /** Low (high = false) or high nibbles of the bytes a[p ...], in int lanes. */
    static IntVector nibbles(byte[] a, int p, boolean high) {
        IntVector v = ints(a, p);
        return (high ? v.lanewise(VectorOperators.ASHR, 4) : v).and(0x0F);
    }

    /**
     * Sum of the lanes, lane 0 first. Written out rather than reduceLanes, whose order is
     * unspecified and could differ between interpreted and compiled code.
     */
    static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        return sumLanes(lanes, 0);
    }

    /**
     * res[at + k] = {@link #sumLanes}(lanes, from k) for k = 0 .. 3, bit for bit: the four sums run
     * interleaved, so their dependent adds overlap. One sum after another left most of the adds'
     * latency exposed, which cost a 4x4 tile of 512 columns 40% of its time. Callers store their
     * accumulators into lanes themselves: a helper taking vectors is not always inlined, and then
     * the vectors become heap objects.
     */
    static void sumLanes4(float[] lanes, int from0, int from1, int from2, int from3, float[] res, int at) {
        float s0 = lanes[from0], s1 = lanes[from1], s2 = lanes[from2], s3 = lanes[from3];
        for (int i = 1; i < L; i++) {
            s0 += lanes[from0 + i];
            s1 += lanes[from1 + i];
            s2 += lanes[from2 + i];
            s3 += lanes[from3 + i];
        }
        res[at] = s0;
        res[at + 1] = s1;
        res[at + 2] = s2;
        res[at + 3] = s3;
    }

    /** lanes[from] + lanes[from + 1] + ... over one vector's worth, in that order: as {@link #sum}. */
    static float sumLanes(float[] lanes, int from) {
        float s = lanes[from];
        for (int i = 1; i < L; i++) {
            s += lanes[from + i];
        }
        return s;
    }
}
