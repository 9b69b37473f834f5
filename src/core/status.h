// Status and Result<T>: errors as values.
//
// A Status is either OK or carries a Code and a message. The code says what
// the caller should do about it, not where the error came from:
//   kInvalidInput  the input is bad; record it, skip it, go on.
//   kNotFound      what was asked for does not exist.
//   kUnavailable   a dependency is down; back off and retry.
//   kAborted       a concurrent change won; reload and retry.
//   kDataLoss      stored data is damaged or missing; alert a person.
//   kFailedPrecondition  the environment is wrong (newer schema, locked dir);
//                  a person must act before retrying.
//   kInternal      a bug.
// Status and Result are plain values: copyable, thread-compatible.
//
// Two macros keep the success path reading straight down when an error is
// only passed on (their definitions are at the end of this file):
//
//   RETURN_IF_ERROR(log.Sync());                          // a Status
//   RETURN_IF_ERROR(log.Append(drafts).status());         // a Result whose value is not needed
//   ASSIGN_OR_RETURN(Seq checkpoint, store.Checkpoint(node));
//   ASSIGN_OR_RETURN(auto rows, store.AllRows(node));     // the T of a Result<T>, moved out
//   ASSIGN_OR_RETURN(existing, Parse(text));              // or assigned to a variable
//
// Each evaluates its expression once and, if it failed, returns its Status
// unchanged from the enclosing function, which must return Status or some
// Result<U>. Where the caller should see another code or more context, write
// the `if` by hand. ASSIGN_OR_RETURN is more than one statement: it cannot be
// the body of an unbraced `if` or loop, and its first argument cannot hold an
// unparenthesised comma.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace callledger {

enum class Code {
  kOk = 0,
  kInvalidInput,
  kNotFound,
  kUnavailable,
  kAborted,
  kDataLoss,
  kFailedPrecondition,
  kInternal,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid input: frame is not JSON" style text for logs and CLIs.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidInput(std::string m) { return {Code::kInvalidInput, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace callledger

#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::callledger::Status callledger_status_ = (expr); \
    if (!callledger_status_.ok()) [[unlikely]]        \
      return callledger_status_;                      \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  CALLLEDGER_ASSIGN_OR_RETURN_(CALLLEDGER_STATUS_CONCAT_(callledger_result_, __LINE__), lhs, expr)

// Implementation details of ASSIGN_OR_RETURN: a uniquely named Result per line.
#define CALLLEDGER_ASSIGN_OR_RETURN_(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.ok()) [[unlikely]]                        \
    return result.status();                             \
  lhs = std::move(result).value()
#define CALLLEDGER_STATUS_CONCAT_(a, b) CALLLEDGER_STATUS_CONCAT_INNER_(a, b)
#define CALLLEDGER_STATUS_CONCAT_INNER_(a, b) a##b
