// Paths to the captured fixtures and helpers to read them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace callledger::testing {

std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();
// fixtures/asterisk: real captures, unchanged.
std::filesystem::path CaptureDir();
// Every captured stream (*.call-center.jsonl and *.observer.jsonl), sorted.
std::vector<std::filesystem::path> CapturedStreams();
// fixtures/recorded: reconnects recorded through the daemon (its README).
std::filesystem::path RecordedDir();
// The *.jsonl files of a folder, sorted.
std::vector<std::filesystem::path> JsonlFiles(const std::filesystem::path& dir);
// The whole file as bytes.
std::string ReadFile(const std::filesystem::path& path);
// The file's lines without their line feeds (every line, including empty ones).
std::vector<std::string> ReadLines(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& bytes);

}  // namespace callledger::testing
