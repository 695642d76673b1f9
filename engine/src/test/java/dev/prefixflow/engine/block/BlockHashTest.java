package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BlockHashTest {

    @Test
    void bytesRoundTripBigEndian() {
        BlockHash hash = new BlockHash(0x0102030405060708L, 0xF0E0D0C0B0A09080L);
        byte[] bytes = hash.toBytes();
        assertEquals(16, bytes.length);
        assertEquals(0x01, bytes[0]);
        assertEquals((byte) 0x80, bytes[15]);
        assertEquals(hash, BlockHash.fromBytes(bytes));
        assertArrayEquals(bytes, BlockHash.fromBytes(bytes).toBytes());
    }

    @Test
    void toStringIsThirtyTwoHexDigits() {
        assertEquals("000000000000000aff00000000000001", new BlockHash(10L, 0xFF00000000000001L).toString());
    }

    @Test
    void equalityUsesBothLanes() {
        assertEquals(new BlockHash(1, 2), new BlockHash(1, 2));
        assertEquals(new BlockHash(1, 2).hashCode(), new BlockHash(1, 2).hashCode());
        assertNotEquals(new BlockHash(1, 2), new BlockHash(1, 3));
        assertNotEquals(new BlockHash(1, 2), new BlockHash(2, 2));
    }

    @Test
    void rejectsWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> BlockHash.fromBytes(new byte[15]));
    }
}
