package dev.hymt4j.testing;

import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The table-driven config tests of issue 9: every field of a config file with a value of the wrong type and,
 * where the type has one, an impossible value; each must be refused with a message that says so.
 */
public final class FieldTable {
    private FieldTable() {}

    /** One field: a wrong-type value and what its message says; an impossible value (null: none) and its message. */
    public record Row(String field, String wrongType, String wrongTypeSays, String outOfRange, String outOfRangeSays) {
        /** A row whose wrong-type message only needs to say "expected". */
        public static Row of(String field, String wrongType, String outOfRange, String outOfRangeSays) {
            return new Row(field, wrongType, "expected", outOfRange, outOfRangeSays);
        }
    }

    /** Runs one case: the config with {@code field} set to {@code value} must be refused saying {@code says}. */
    @FunctionalInterface
    public interface Refusal {
        void check(String field, String value, String says) throws Throwable;
    }

    /** A test per wrong-type value and per impossible value of {@code rows}. */
    public static Stream<DynamicTest> tests(List<Row> rows, Refusal refusal) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row r : rows) {
            tests.add(DynamicTest.dynamicTest(r.field() + " = " + r.wrongType() + " (wrong type)",
                    () -> refusal.check(r.field(), r.wrongType(), r.wrongTypeSays())));
            if (r.outOfRange() != null) {
                tests.add(DynamicTest.dynamicTest(r.field() + " = " + r.outOfRange() + " (out of range)",
                        () -> refusal.check(r.field(), r.outOfRange(), r.outOfRangeSays())));
            }
        }
        return tests.stream();
    }
}
