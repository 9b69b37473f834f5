// How RocksDB's errors reach the ledger's callers, and who recovers from the
// errors that stop its writes.
//
// RocksErrorStatus maps a rocksdb::Status to a core/status.h code by what the
// caller should do: corruption is kDataLoss, a bad argument kInvalidInput,
// not found kNotFound, and everything else (I/O) kUnavailable: retry later.
// A full disk is said plainly, whatever RocksDB's text: RocksDB reports it
// as an IOError with subcode kNoSpace (its POSIX file system maps ENOSPC to
// that), and a few paths only in the text; either way the message begins
// "the ledger's disk is full (<dir>: No space left on device)".
//
// After a failed WAL write, WAL fsync or flush for lack of space, RocksDB
// (7.8) stops every write with that error (a "hard" background error) until
// DB::Resume() succeeds. Left to itself it resumes through its
// SstFileManager, polling every 5 s, and answers Busy to a Resume() of ours
// meanwhile. WriterResumesListener() takes that recovery over: with it on
// the DB's listeners, hard errors are recovered only by the ledger's writer
// (RocksEventLog resumes before its next append or fsync), at the cadence
// its caller retries. Soft errors (a compaction out of space) stay
// RocksDB's own: they stop no write.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace rocksdb {
class EventListener;
class Status;
}  // namespace rocksdb

namespace callledger::store {

// Whether `s` says the disk (or the file system's quota) is full.
bool IsDiskFull(const rocksdb::Status& s);

// `s` as a Status whose message says `what` failed in the ledger at `dir`,
// and why. OK for OK.
Status RocksErrorStatus(const rocksdb::Status& s, std::string_view what,
                        const std::filesystem::path& dir);

// The listener that turns off RocksDB's own recovery from hard background
// errors (above). Stateless; one may serve several DBs.
std::shared_ptr<rocksdb::EventListener> WriterResumesListener();

}  // namespace callledger::store
