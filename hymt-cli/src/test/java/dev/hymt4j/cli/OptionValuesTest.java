package dev.hymt4j.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every numeric option of every command, given text that is not a number and a number out of its
 * {@link Bounds} (below, above, NaN): a usage error (exit 2) naming the option and the value, before the
 * command does anything. Numeric options without bounds must be listed here as meant to be unbounded.
 */
class OptionValuesTest {
    /** Options any value of their type suits. */
    static final Set<String> UNBOUNDED = Set.of("--seed");

    record NumericOption(PathSafetyPropertyTest.Command command, OptionSpec option, Bounds bounds, boolean floating) {
        String title() {
            return command.title() + " " + option.longestName();
        }
    }

    static List<NumericOption> numericOptions() {
        List<NumericOption> out = new ArrayList<>();
        for (PathSafetyPropertyTest.Command c : PathSafetyPropertyTest.commands()) {
            for (OptionSpec o : c.spec().options()) {
                Class<?> element = o.type().isArray() ? o.type().getComponentType()
                        : o.auxiliaryTypes().length > 0 && List.class.isAssignableFrom(o.type()) ? o.auxiliaryTypes()[0] : o.type();
                boolean integral = element == int.class || element == Integer.class || element == long.class || element == Long.class;
                boolean floating = element == float.class || element == Float.class || element == double.class || element == Double.class;
                if (!integral && !floating) continue;
                Bounds b = o.userObject() instanceof Field f ? f.getAnnotation(Bounds.class) : null;
                out.add(new NumericOption(c, o, b, floating));
            }
        }
        return out;
    }

    @Test
    void everyNumericOptionHasBoundsOrIsMeantToBeUnbounded() {
        List<String> missing = new ArrayList<>();
        for (NumericOption n : numericOptions()) {
            if (n.bounds == null && !UNBOUNDED.contains(n.option.longestName())) missing.add(n.title());
        }
        assertEquals(List.of(), missing);
        assertTrue(numericOptions().size() >= 40, "only " + numericOptions().size() + " numeric options found");
    }

    @TestFactory
    Stream<DynamicTest> everyNumericOptionRefusesTextAndOutOfRangeValues() {
        List<DynamicTest> tests = new ArrayList<>();
        for (NumericOption n : numericOptions()) {
            tests.add(DynamicTest.dynamicTest(n.title() + " abc", () -> usageError(n, "abc", "Invalid value")));
            if (n.bounds == null) continue;
            Bounds b = n.bounds;
            if (b.min() != Double.NEGATIVE_INFINITY) {
                String below = number(b.minExclusive() ? b.min() : b.min() - 1, n.floating);
                tests.add(DynamicTest.dynamicTest(n.title() + " " + below, () -> usageError(n, below, "expected")));
            }
            if (b.max() != Double.POSITIVE_INFINITY) {
                String above = number(b.max() + 1, n.floating);
                tests.add(DynamicTest.dynamicTest(n.title() + " " + above, () -> usageError(n, above, "expected")));
            }
            if (n.floating) tests.add(DynamicTest.dynamicTest(n.title() + " NaN", () -> usageError(n, "NaN", "expected")));
        }
        return tests.stream();
    }

    private static String number(double d, boolean floating) {
        return floating ? Double.toString(d) : Long.toString((long) d);
    }

    private static void usageError(NumericOption n, String value, String says) {
        List<String> args = new ArrayList<>(n.command.names());
        args.addAll(List.of(n.option.longestName(), value));
        for (ArgSpec a : n.command.spec().args()) {
            if (!a.required() || a == n.option) continue;
            String filler = PathSafetyPropertyTest.filler(a.type());
            if (a instanceof OptionSpec o) args.addAll(List.of(o.longestName(), filler));
            else if (a instanceof PositionalParamSpec) args.add(filler);
        }
        CoreCommandsTest.Run r = CoreCommandsTest.hymt(args.toArray(String[]::new));
        assertEquals(2, r.exitCode(), args + "\n" + r.out() + r.err());
        assertTrue(r.err().contains(n.option.longestName()) && r.err().contains(value), r.err());
        assertTrue(r.err().contains(says), "'" + says + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
