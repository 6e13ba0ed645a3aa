package dev.hymt4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The range of a numeric option, checked with every other option before the command runs: a value outside it
 * (or a NaN or infinite number) is a usage error that names the option, the value and the range. Applies to
 * each element of an array or list option.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Bounds {
    double min() default Double.NEGATIVE_INFINITY;

    double max() default Double.POSITIVE_INFINITY;

    /** The minimum itself is out of range (e.g. a temperature must be > 0). */
    boolean minExclusive() default false;
}
