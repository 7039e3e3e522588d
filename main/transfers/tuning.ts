/**
 * Every transfer constant in one place: chunk and buffer sizes, queue bounds, concurrency, retries and timeouts.
 * The figures behind the sizes are in bench/RESULTS.md (1 MiB writes, 4 MiB upload slots). HTTP connect/idle
 * timeouts and response body limits belong to the HTTP layer (main/openstack/http.ts) and stay there.
 */

const MiB = 1024 * 1024

// --- upload ---------------------------------------------------------------------------------------------------
/** Bytes in one upload slot (read once, hashed and sent from the same memory). */
export const UPLOAD_SLOT = 4 * MiB
/** Upload slots in the ring: the most file data in memory per upload is UPLOAD_SLOT x UPLOAD_SLOTS. */
export const UPLOAD_SLOTS = 4
/**
 * Linux: the file read with O_DIRECT into the ring's page-aligned slots (hashed-source.ts). The page cache copy of a
 * buffered read cost 0.6 of the upload's 3.4-3.9 CPU s/GiB here (perf: _copy_to_iter); O_DIRECT reads cost ~0.3 s of
 * sys in all (bench/RESULTS.md). False, another platform, or a file system that refuses O_DIRECT: buffered reads.
 */
export const UPLOAD_DIRECT_IO = true
/** Upload progress is counted in steps of at most this many bytes. */
export const PROGRESS_STEP = 1 * MiB
/** After an upload, how often and how many times Glance is asked whether the image left `saving`. */
export const UPLOAD_SETTLE_POLL_MS = 500
export const UPLOAD_SETTLE_POLLS = 60

// --- download -------------------------------------------------------------------------------------------------
/** Bytes of response queued for the disk before the response is paused. */
export const DOWNLOAD_QUEUE = 4 * MiB
/** The most bytes one writev() call takes (1 MiB writes measured ~50% faster than 64 KiB or 4 MiB ones). */
export const DOWNLOAD_WRITE = 1 * MiB
/** Bytes a resumed download reads back at a time to hash the prefix it kept (hash-receive.ts). */
export const TAIL_HASH_CHUNK = 1 * MiB
/**
 * Linux: the part file written with O_DIRECT from reused page-aligned slots (direct-write.ts; 1 GiB: ~0.3 CPU s
 * instead of 2.4-4 s of page-cache copying on the dev VM). False: always the buffered writes.
 */
export const DOWNLOAD_DIRECT_IO = true
/** The alignment O_DIRECT needs of offsets, lengths and buffers (4096 covers 512- and 4096-byte sectors). */
export const DIRECT_ALIGN = 4096
/** O_DIRECT staging slots of DOWNLOAD_WRITE bytes: the received data in memory is at most their sum (DOWNLOAD_QUEUE). */
export const DIRECT_SLOTS = DOWNLOAD_QUEUE / DOWNLOAD_WRITE

// --- hashing --------------------------------------------------------------------------------------------------
/** Read size and stream high-water mark when a file is hashed on its own (drafts). */
export const HASH_CHUNK = 4 * MiB

// --- queue ----------------------------------------------------------------------------------------------------
/** Jobs running at once per profile. */
export const CONCURRENCY = 2
/** Attempts per run before a transient failure becomes permanent. */
export const MAX_ATTEMPTS = 6
/** First retry delay, doubled each attempt (with +-20% jitter), capped at RETRY_MAX_MS. */
export const RETRY_BASE_MS = 1000
export const RETRY_MAX_MS = 30_000
/** Progress events: at most one batch per interval; speed is averaged over the window. */
export const PROGRESS_INTERVAL_MS = 250
export const SPEED_WINDOW_MS = 5000
/** Byte counters reach the queue file at most this often (state changes are saved at once). */
export const PERSIST_MS = 2000
/** A finished job shorter than this does not raise an OS notification. */
export const NOTIFY_AFTER_SECONDS = 10

// --- URL import -----------------------------------------------------------------------------------------------
/** How often Glance is asked about a running web-download import. */
export const IMPORT_POLL_MS = 1000
/**
 * The longest one import attempt waits for Glance to finish fetching the URL: past it the attempt ends as a retryable
 * TIMEOUT (the next attempt goes on polling the same import; it does not start another).
 */
export const IMPORT_DEADLINE_MS = 30 * 60_000
