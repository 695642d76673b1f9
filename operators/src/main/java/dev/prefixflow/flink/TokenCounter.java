package dev.prefixflow.flink;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;

/** A read-only counter over an engine total, so Flink's MeterView can turn it into a rate. */
final class TokenCounter implements Counter {
    private final LongSupplier total;

    TokenCounter(LongSupplier total) {
        this.total = total;
    }

    @Override
    public void inc() {
        throw new UnsupportedOperationException("the engine counts these tokens");
    }

    @Override
    public void inc(long n) {
        throw new UnsupportedOperationException("the engine counts these tokens");
    }

    @Override
    public void dec() {
        throw new UnsupportedOperationException("the engine counts these tokens");
    }

    @Override
    public void dec(long n) {
        throw new UnsupportedOperationException("the engine counts these tokens");
    }

    @Override
    public long getCount() {
        return total.getAsLong();
    }
}
