package dev.prefixflow.cpu;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the kernels use, and the reductions their dot products end with: {@link #sums}
 * for the matrix products, {@link #sum} for attention.
 */
final class Vectors {

    /**
     * The float species; at least 8 lanes because the narrowest byte vector has 8 (a quantized
     * block is widened lane for lane from bytes to floats), at most 16 because {@link #sums} has
     * four levels.
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() < 8 ? FloatVector.SPECIES_256
            : FloatVector.SPECIES_PREFERRED.length() > 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
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
        float s = lanes[0];
        for (int i = 1; i < L; i++) {
            s += lanes[i];
        }
        return s;
    }

    // The levels of sums, h = L / 2, L / 4, ...: lane i to lane i ^ h, and the lanes with bit h set.
    // Fields, so that C2 takes them as constants; a level past L's is unused.
    static final VectorShuffle<Float> SWAP1 = swap(L / 2), SWAP2 = swap(L / 4), SWAP3 = swap(L / 8),
            SWAP4 = swap(L / 16);
    static final VectorMask<Float> HIGH1 = high(L / 2), HIGH2 = high(L / 4), HIGH3 = high(L / 8),
            HIGH4 = high(L / 16);
    /** Per log2(n): where the tree leaves the sum of accumulator k, gathered to lane k. */
    private static final VectorShuffle<Float>[] ORDER = orders();
    /** Where the trees of 4, 8 and (for L = 16, {@link FloatTiles#dot4x4}'s) 16 leave the sum of accumulator k. */
    private static final VectorShuffle<Float> ORDER4 = ORDER[2], ORDER8 = ORDER[3];
    static final VectorShuffle<Float> ORDER16 = ORDER[ORDER.length - 1];

    /**
     * res[at + k] = the sum of the lanes of accumulator k (at lanes[from + k L]) for k &lt; n, n a power
     * of two; the accumulators are overwritten. Every sum is the same pairwise tree whatever n is:
     * lane i plus lane i + L / 2, then those lanes i plus i + L / 4, and so on, so a dot product's
     * result does not depend on how many are reduced together (nor on whether {@link FloatTiles}
     * reduces it in registers). A level adds two accumulators' halves at once: a blend, a swap of
     * halves, an add. Vectors go through lanes rather than into a helper: C2 does not always inline
     * one, and then vectors become heap objects.
     */
    static void sums(float[] lanes, int from, int n, float[] res, int at) {
        // The trees of four and eight written out for the single-token kernels: through the level
        // loops below they took 38.7 and 44.2 ns against 25.0 and 31.4 (with a copy of the
        // accumulators; the scalar sums took 17.1 and 31.4).
        if (L == 16 && n == 4) {
            FloatVector a = FloatVector.fromArray(F, lanes, from);
            FloatVector b = FloatVector.fromArray(F, lanes, from + L);
            FloatVector c = FloatVector.fromArray(F, lanes, from + 2 * L);
            FloatVector d = FloatVector.fromArray(F, lanes, from + 3 * L);
            FloatVector ab = a.blend(b, HIGH1).add(b.blend(a, HIGH1).rearrange(SWAP1));
            FloatVector cd = c.blend(d, HIGH1).add(d.blend(c, HIGH1).rearrange(SWAP1));
            FloatVector v = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(SWAP2));
            v = v.add(v.rearrange(SWAP3));
            v.add(v.rearrange(SWAP4)).rearrange(ORDER4).intoArray(lanes, from);
            System.arraycopy(lanes, from, res, at, 4);
            return;
        }
        if (L == 16 && n == 8) {
            FloatVector a = FloatVector.fromArray(F, lanes, from);
            FloatVector b = FloatVector.fromArray(F, lanes, from + L);
            FloatVector c = FloatVector.fromArray(F, lanes, from + 2 * L);
            FloatVector d = FloatVector.fromArray(F, lanes, from + 3 * L);
            FloatVector e = FloatVector.fromArray(F, lanes, from + 4 * L);
            FloatVector f = FloatVector.fromArray(F, lanes, from + 5 * L);
            FloatVector g = FloatVector.fromArray(F, lanes, from + 6 * L);
            FloatVector h = FloatVector.fromArray(F, lanes, from + 7 * L);
            FloatVector ab = a.blend(b, HIGH1).add(b.blend(a, HIGH1).rearrange(SWAP1));
            FloatVector cd = c.blend(d, HIGH1).add(d.blend(c, HIGH1).rearrange(SWAP1));
            FloatVector ef = e.blend(f, HIGH1).add(f.blend(e, HIGH1).rearrange(SWAP1));
            FloatVector gh = g.blend(h, HIGH1).add(h.blend(g, HIGH1).rearrange(SWAP1));
            FloatVector ad = ab.blend(cd, HIGH2).add(cd.blend(ab, HIGH2).rearrange(SWAP2));
            FloatVector eh = ef.blend(gh, HIGH2).add(gh.blend(ef, HIGH2).rearrange(SWAP2));
            FloatVector v = ad.blend(eh, HIGH3).add(eh.blend(ad, HIGH3).rearrange(SWAP3));
            v.add(v.rearrange(SWAP4)).rearrange(ORDER8).intoArray(lanes, from);
            System.arraycopy(lanes, from, res, at, 8);
            return;
        }
        for (int done = 0; done < n; done += L) {
            int count = Math.min(L, n - done);
            int first = from + done * L;
            tree(lanes, first, count);
            FloatVector.fromArray(F, lanes, first).rearrange(ORDER[Integer.numberOfTrailingZeros(count)])
                    .intoArray(lanes, first);
            System.arraycopy(lanes, first, res, at + done, count);
        }
    }

    /** The levels of {@link #sums}: leaves the n sums (n at most L) in the vector at lanes[from]. */
    private static void tree(float[] lanes, int from, int n) {
        int count = level(lanes, from, n, SWAP1, HIGH1);
        count = level(lanes, from, count, SWAP2, HIGH2);
        count = level(lanes, from, count, SWAP3, HIGH3);
        if (L == 16) {
            level(lanes, from, count, SWAP4, HIGH4);
        }
    }

    /** One level over count vectors at lanes[from]: returns how many are left. */
    private static int level(float[] lanes, int from, int count, VectorShuffle<Float> swap, VectorMask<Float> high) {
        if (count == 1) {
            FloatVector v = FloatVector.fromArray(F, lanes, from);
            v.add(v.rearrange(swap)).intoArray(lanes, from);
            return 1;
        }
        // a's low halves beside b's high halves, plus a's high halves beside b's low halves.
        for (int k = 0; k < count; k += 2) {
            FloatVector a = FloatVector.fromArray(F, lanes, from + k * L);
            FloatVector b = FloatVector.fromArray(F, lanes, from + (k + 1) * L);
            a.blend(b, high).add(b.blend(a, high).rearrange(swap)).intoArray(lanes, from + k / 2 * L);
        }
        return count / 2;
    }

    private static VectorShuffle<Float> swap(int h) {
        return VectorShuffle.fromOp(F, i -> i ^ h);
    }

    private static VectorMask<Float> high(int h) {
        long bits = 0;
        for (int i = 0; i < L; i++) {
            bits |= (long) ((i & h) == 0 ? 0 : 1) << i;
        }
        return VectorMask.fromLong(F, bits);
    }

    /** Runs the tree once per n on accumulators whose sums are k + 1, to find where each sum lands. */
    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] orders() {
        int kinds = Integer.numberOfTrailingZeros(L) + 1;
        VectorShuffle<Float>[] out = new VectorShuffle[kinds];
        float[] lanes = new float[L * L];
        for (int log = 0; log < kinds; log++) {
            int n = 1 << log;
            Arrays.fill(lanes, 0f);
            for (int k = 0; k < n; k++) {
                lanes[k * L] = k + 1;
            }
            tree(lanes, 0, n);
            int[] source = new int[L];
            for (int k = 0; k < n; k++) {
                int lane = 0;
                while (lanes[lane] != k + 1) {
                    lane++;
                }
                source[k] = lane;
            }
            out[log] = VectorShuffle.fromArray(F, source, 0);
        }
        return out;
    }
}
