package dev.hymt4j.spark;

import org.apache.spark.SparkException;

/** Turning Spark's wrapping of a failed task back into the user's error. */
final class SparkErrors {
    private SparkErrors() {}

    /**
     * The innermost exception that is not Spark's own wrapper: a task that failed on bad input surfaces on the
     * driver as a {@link SparkException} ("Job aborted due to stage failure: ...") around the real cause.
     */
    static Exception userFault(Exception ex) {
        Throwable t = ex;
        while (t instanceof SparkException && t.getCause() != null) t = t.getCause();
        return t instanceof Exception e ? e : ex;
    }
}
