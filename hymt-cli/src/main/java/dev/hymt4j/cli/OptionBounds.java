package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Checks every {@link Bounds}-marked option of the command about to run. */
final class OptionBounds {
    private OptionBounds() {}

    static void check(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        for (ArgSpec arg : spec.args()) {
            if (!(arg.userObject() instanceof Field field)) continue;
            Bounds bounds = field.getAnnotation(Bounds.class);
            if (bounds == null) continue;
            for (Object v : elements(arg.getValue())) {
                if (!(v instanceof Number n)) continue;
                double d = n.doubleValue();
                boolean ok = Double.isFinite(d) && (bounds.minExclusive() ? d > bounds.min() : d >= bounds.min())
                        && d <= bounds.max();
                if (!ok) {
                    throw new CommandLine.ParameterException(command,
                            name(arg) + " " + v + ": expected " + describe(bounds, n));
                }
            }
        }
    }

    static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) arg).paramLabel();
    }

    /** E.g. "a number in (0, 1]", "an integer ≥ 1". */
    static String describe(Bounds b, Number sample) {
        boolean integral = !(sample instanceof Float || sample instanceof Double);
        String kind = integral ? "an integer" : "a number";
        boolean hasMin = b.min() != Double.NEGATIVE_INFINITY, hasMax = b.max() != Double.POSITIVE_INFINITY;
        if (hasMin && hasMax) {
            return kind + " in " + (b.minExclusive() ? "(" : "[") + format(b.min(), integral) + ", " + format(b.max(), integral) + "]";
        }
        if (hasMin) return kind + (b.minExclusive() ? " > " : " ≥ ") + format(b.min(), integral);
        if (hasMax) return kind + " ≤ " + format(b.max(), integral);
        return "a finite " + (integral ? "integer" : "number");
    }

    private static String format(double d, boolean integral) {
        return integral || d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static List<Object> elements(Object value) {
        List<Object> out = new ArrayList<>();
        if (value == null) return out;
        if (value instanceof Collection<?> c) out.addAll(c);
        else if (value.getClass().isArray()) for (int i = 0; i < Array.getLength(value); i++) out.add(Array.get(value, i));
        else out.add(value);
        return out;
    }
}
