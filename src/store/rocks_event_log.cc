#include "store/rocks_event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstring>

#include "store/index_keys.h"
#include "store/rocks_errors.h"
#include "store/rocks_info_log.h"

namespace callledger::store {
namespace {

std::string U16(std::uint16_t v) { return std::to_string(v); }

}  // namespace

Result<std::unique_ptr<RocksEventLog>> RocksEventLog::Open(const std::filesystem::path& dir,
                                                           RocksOptions options) {
  std::unique_ptr<RocksEventLog> log(new RocksEventLog());
  RETURN_IF_ERROR(log->Init(dir, std::move(options)));
  return log;
}

Status RocksEventLog::Init(const std::filesystem::path& dir, RocksOptions options) {
  options_ = std::move(options);
  dir_ = dir;
  const bool read_only = options_.mode == OpenMode::kReadOnly;
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir / "CURRENT", ec);
  if (!exists) {
    if (read_only || !options_.create_if_missing) {
      return NotFound("no ledger at " + dir.string());
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unavailable("cannot create " + dir.string() + ": " + ec.message());
  }

  rocksdb::DBOptions db_options;
  if (options_.env != nullptr) db_options.env = options_.env;
  // The writer resumes after a full disk, not RocksDB's own 5 s poll.
  db_options.listeners.push_back(WriterResumesListener());
  // RocksDB's own LOG, written so that a full disk cannot abort the process.
  if (!read_only) db_options.info_log = std::make_shared<RocksInfoLog>(dir);
  db_options.create_if_missing = !read_only;
  db_options.create_missing_column_families = !read_only;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  // The ledger is small keys in order; keep RocksDB's own log quiet and
  // bounded (read-only opens; the writer's is RocksInfoLog, below).
  db_options.keep_log_file_num = 3;
  db_options.max_log_file_size = 8 << 20;
  // All memtables together stay under this, whatever the families ask for.
  db_options.db_write_buffer_size = 16 << 20;

  // One small block cache for all families (RocksDB would give each its own
  // 8 MiB): the writer reads little, and folds scan without filling it.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(8 << 20);
  auto table_factory =
      std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(table_options));

  rocksdb::ColumnFamilyOptions records_cf;
  records_cf.table_factory = table_factory;
  records_cf.compression = rocksdb::kLZ4Compression;
  // 16 MiB memtables: the daemon's memory stays small; appends are as fast
  // (flushes run on a background thread; docs/benchmarks.md).
  records_cf.write_buffer_size = 8 << 20;
  rocksdb::ColumnFamilyOptions index_cf;
  index_cf.table_factory = table_factory;
  index_cf.compression = rocksdb::kLZ4Compression;
  index_cf.write_buffer_size = 4 << 20;  // index values are small
  rocksdb::ColumnFamilyOptions default_cf;
  default_cf.table_factory = table_factory;
  default_cf.write_buffer_size = 1 << 20;  // metadata: a few keys

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, default_cf},
      {kRecordsFamily, records_cf},
      {kIndexFamily, index_cf},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs;
  if (read_only) {
    rs = rocksdb::DB::OpenForReadOnly(db_options, dir.string(), families, &handles, &raw);
  } else {
    rs = rocksdb::DB::Open(db_options, dir.string(), families, &handles, &raw);
  }
  if (!rs.ok()) {
    const std::string text = rs.ToString();
    if (text.find("lock") != std::string::npos || text.find("Lock") != std::string::npos) {
      return FailedPrecondition("ledger " + dir.string() +
                                " is in use by another process (RocksDB lock held): " + text);
    }
    return RocksError(rs, "opening ledger " + dir.string());
  }
  db_.reset(raw);
  default_ = handles[0];
  records_ = handles[1];
  index_ = handles[2];

  // Metadata: format, schema version, node, head.
  std::string value;
  rs = db_->Get(rocksdb::ReadOptions(), default_, kMetaFormat, &value);
  const bool fresh = rs.IsNotFound();
  if (!rs.ok() && !fresh) return RocksError(rs, "reading ledger metadata");
  if (fresh) {
    if (read_only) return DataLoss("ledger " + dir.string() + " has no call-ledger metadata");
    info_.node = options_.node.empty() ? "unknown" : options_.node;
    info_.schema_version = kRecordSchemaVersion;
    rocksdb::WriteBatch meta;
    meta.Put(default_, kMetaFormat, kFormatName);
    meta.Put(default_, kMetaNode, info_.node);
    meta.Put(default_, kMetaSchemaVersion, U16(info_.schema_version));
    meta.Put(default_, kMetaHead, EncodeHead(LedgerHead{}));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(RocksError(db_->Write(wo, &meta), "writing ledger metadata"));
  } else {
    if (value != kFormatName) {
      return FailedPrecondition("ledger " + dir.string() + " has unknown format '" + value + "'");
    }
    RETURN_IF_ERROR(RocksError(db_->Get(rocksdb::ReadOptions(), default_, kMetaNode, &info_.node),
                               "reading node"));
    RETURN_IF_ERROR(
        RocksError(db_->Get(rocksdb::ReadOptions(), default_, kMetaSchemaVersion, &value),
                   "reading schema version"));
    const unsigned long version = std::strtoul(value.c_str(), nullptr, 10);
    if (version > kRecordSchemaVersion) {
      return FailedPrecondition("ledger " + dir.string() + " was written by schema version " +
                                value + ", newer than this build's " + U16(kRecordSchemaVersion) +
                                ": upgrade call-ledger before opening it");
    }
    info_.schema_version = static_cast<std::uint16_t>(version);
    if (!options_.node.empty() && options_.node != info_.node) {
      return FailedPrecondition("ledger " + dir.string() + " belongs to node '" + info_.node +
                                "', not '" + options_.node + "'");
    }
    RETURN_IF_ERROR(
        RocksError(db_->Get(rocksdb::ReadOptions(), default_, kMetaHead, &value), "reading head"));
    if (!DecodeHead(value, &head_)) return DataLoss("ledger head metadata is damaged");
  }
  synced_seq_ = head_.seq.value;
  if (!read_only) RETURN_IF_ERROR(Touch());

  if (!read_only && options_.sync_interval_ms > 0) {
    syncer_ = std::thread([this] { SyncLoop(); });
  }
  return Status::Ok();
}

RocksEventLog::~RocksEventLog() {
  if (syncer_.joinable()) {
    {
      std::lock_guard lock(sync_mu_);
      stopping_ = true;
    }
    sync_cv_.notify_all();
    syncer_.join();
  }
  // A destructor has nobody to report to, so it drops these statuses: a
  // failed last fsync leaves the appends where a process crash would (in
  // the WAL, which RocksDB replays on open), and a failed close leaves
  // nothing to undo.
  if (!ResumeFinishedWithin(std::chrono::seconds(1))) {
    // A Resume() that did not finish still runs on its own thread, on this
    // DB: leave RocksDB to it (the process is about to end; the WAL holds
    // everything appended, as after a crash).
    (void)db_.release();  // left, not deleted: the thread above still uses it
    return;
  }
  if (db_ && options_.mode == OpenMode::kReadWrite) (void)SyncNow();  // dropped, as above
  if (db_) {
    for (auto* h : {default_, records_, index_}) {
      if (h != nullptr) (void)db_->DestroyColumnFamilyHandle(h);  // dropped, as above
    }
    (void)db_->Close();  // dropped, as above
  }
}

LedgerInfo RocksEventLog::Info() const {
  std::lock_guard lock(head_mu_);
  return info_;
}

LedgerHead RocksEventLog::Head() const {
  std::lock_guard lock(head_mu_);
  return head_;
}

Status RocksEventLog::RocksError(const rocksdb::Status& s, std::string_view what) const {
  return RocksErrorStatus(s, what, dir_);
}

Result<SeqRange> RocksEventLog::Append(std::span<const RecordDraft> drafts) {
  if (options_.mode == OpenMode::kReadOnly) return FailedPrecondition("ledger opened read-only");
  if (drafts.empty()) return InvalidInput("append of an empty batch");
  RETURN_IF_ERROR(ResumeIfStopped());
  if (must_touch_.load()) RETURN_IF_ERROR(Touch());
  LedgerHead head = Head();
  const Seq first = head.seq.Next();
  rocksdb::WriteBatch batch(drafts.size() * 700);
  IndexBatch index;
  for (const auto& draft : drafts) {
    head.seq = head.seq.Next();
    const std::string bytes = encoder_.Encode(draft, head.seq, info_.node, head.hash, &head.hash);
    batch.Put(records_, EncodeSeqKey(head.seq), bytes);
    index.AddRecord(draft, head.seq);
  }
  for (const auto& [key, value] : index.Finish()) batch.Put(index_, key, value);
  batch.Put(default_, kMetaHead, EncodeHead(head));
  // The first append of a newer build to an older ledger raises its schema
  // version with the records, so an older build refuses the ledger from
  // then on (schemas/README.md rule 4) and verification accepts them.
  const bool raises_version = info_.schema_version < kRecordSchemaVersion;
  if (raises_version) batch.Put(default_, kMetaSchemaVersion, U16(kRecordSchemaVersion));

  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_interval_ms == 0;
  std::unique_lock wal(wal_mu_);
  if (const rocksdb::Status written = db_->Write(wo, &batch); !written.ok()) {
    // RocksDB wrote nothing of the batch to its memtables, so none of it is
    // visible; what reached the WAL goes with that WAL when RocksDB is
    // resumed (it flushes the memtables and starts a new one).
    must_resume_ = true;
    return RocksError(written, "appending " + std::to_string(drafts.size()) + " records (seq " +
                                   std::to_string(first.value) + ".." +
                                   std::to_string(head.seq.value) +
                                   ") failed and none of them was stored");
  }
  {
    std::lock_guard lock(head_mu_);
    head_ = head;
    if (raises_version) info_.schema_version = kRecordSchemaVersion;
  }
  wal.unlock();
  if (wo.sync) {
    synced_seq_ = head.seq.value;
    sync_count_.fetch_add(1);
  } else {
    {
      std::lock_guard lock(sync_mu_);
      dirty_ = true;
      pending_seq_ = head.seq.value;
    }
    sync_cv_.notify_one();
  }
  return SeqRange{first, head.seq};
}

Status RocksEventLog::SyncNow() {
  // A resume flushes the memtables, which makes what they hold durable too.
  RETURN_IF_ERROR(ResumeIfStopped());
  std::unique_lock wal(wal_mu_);
  if (must_resume_.load()) {
    return Unavailable("the ledger " + dir_.string() +
                       " refuses writes since one failed; the next append or sync resumes it");
  }
  const std::uint64_t target = Head().seq.value;
  const auto start = std::chrono::steady_clock::now();
  const rocksdb::Status synced = db_->SyncWAL();
  // A failed fsync stops RocksDB's writes as a failed write does.
  if (!synced.ok()) must_resume_ = true;
  wal.unlock();
  Status s = RocksError(synced, "syncing the ledger's WAL failed");
  if (options_.sync_latency) {
    options_.sync_latency->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (s.ok()) {
    synced_seq_ = target;
    sync_count_.fetch_add(1);
  }
  return s;
}

Status RocksEventLog::Sync() {
  if (options_.mode == OpenMode::kReadOnly) return Status::Ok();
  return SyncNow();
}

void RocksEventLog::SyncLoop() {
  const auto interval = std::chrono::milliseconds(options_.sync_interval_ms);
  std::unique_lock lock(sync_mu_);
  while (!stopping_) {
    sync_cv_.wait(lock, [this] { return stopping_ || dirty_; });
    if (stopping_) break;
    // Let more appends join this fsync, but never wait past the interval.
    sync_cv_.wait_for(lock, interval, [this] { return stopping_; });
    dirty_ = false;
    lock.unlock();
    (void)SyncNow();  // A failed fsync is retried on the next append.
    lock.lock();
  }
}

Result<std::string> RocksEventLog::ReadEncoded(Seq seq) const {
  std::string value;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), records_, EncodeSeqKey(seq), &value);
  if (rs.IsNotFound()) return NotFound("no record with seq " + std::to_string(seq.value));
  RETURN_IF_ERROR(RocksError(rs, "reading record"));
  return value;
}

Status RocksEventLog::ScanEncoded(Seq from, Seq to, const EncodedVisitor& visit) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  const std::string upper = to.value == UINT64_MAX ? std::string() : EncodeSeqKey(to.Next());
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  // The iterator must be gone before the DB closes (Debian's RocksDB asserts).
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, records_));
  for (it->Seek(EncodeSeqKey(from)); it->Valid(); it->Next()) {
    Seq key;
    if (!DecodeSeqKey(std::string_view(it->key().data(), it->key().size()), &key)) {
      return DataLoss("records family holds a key that is not a seq (" +
                      std::to_string(it->key().size()) + " bytes)");
    }
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return RocksError(it->status(), "scanning ledger");
}

Result<std::vector<Seq>> RocksEventLog::Lookup(IndexKind index, std::string_view id) const {
  std::vector<Seq> out;
  const std::string prefix = IndexPrefix(index, id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), index_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8 ||
        !DecodeSeqList(std::string_view(it->value().data(), it->value().size()), &out)) {
      return DataLoss("damaged index entry for '" + std::string(id) + "'");
    }
  }
  RETURN_IF_ERROR(RocksError(it->status(), "reading index"));
  return out;
}

std::uint64_t RocksEventLog::SizeOnDisk() const {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

}  // namespace callledger::store
