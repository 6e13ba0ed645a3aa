package dev.hymt4j.hub;

/** Receives progress of file downloads. */
public interface DownloadProgress {

    /** Ignores everything. */
    DownloadProgress NONE = new DownloadProgress() {
        @Override
        public void started(String file, long totalBytes, long resumedFrom) {}

        @Override
        public void advanced(String file, long bytesDone, long totalBytes) {}

        @Override
        public void finished(String file, long totalBytes) {}
    };

    /** A download begins; {@code totalBytes} is -1 when unknown, {@code resumedFrom} &gt; 0 when resuming. */
    void started(String file, long totalBytes, long resumedFrom);

    void advanced(String file, long bytesDone, long totalBytes);

    void finished(String file, long totalBytes);
}
