package dev.hymt4j.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One {@code local[2]} session (with task retries) for all of the module's tests (they run in one JVM): starting Spark costs seconds,
 * so it starts once. Few shuffle partitions, no UI, loopback only.
 */
final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {}

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2,3]") // two task threads; a failed task is retried (up to 3 attempts), as on a cluster
                    .appName("hymt-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.sql.adaptive.enabled", "false")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }
}
