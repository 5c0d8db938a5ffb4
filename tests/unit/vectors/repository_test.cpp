#include "loadpilot/vectors/repository.hpp"

#include <gtest/gtest.h>

#include "vectors_test_support.hpp"

namespace lp::vectors {
namespace {

using testing::InFixtures;

std::string formatted(const std::vector<VectorError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.format() + "\n";
  return out;
}

TEST(Repository, ReadsEveryVectorFileAndSkipsSchemas) {
  InFixtures here;
  const VectorRepository repo = VectorRepository::load("valid");
  EXPECT_TRUE(repo.ok()) << formatted(repo.errors());
  EXPECT_EQ(repo.ids(), (std::vector<std::string>{"alpha", "beta", "gamma"}));
  EXPECT_EQ(repo.files(),
            (std::vector<std::filesystem::path>{"valid/many.json", "valid/one.json"}));
  const LoadVector* beta = repo.find("beta");
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->file, "valid/many.json");
  EXPECT_EQ(beta->request_types.size(), 3u);
  EXPECT_EQ(repo.find("delta"), nullptr);
  EXPECT_EQ(suggest_id(repo, "betta"), "beta");
  EXPECT_EQ(suggest_id(repo, "zzzzzz"), std::nullopt);
}

TEST(Repository, DuplicateIdsNameBothFiles) {
  InFixtures here;
  const VectorRepository repo = VectorRepository::load("dup_ids");
  EXPECT_EQ(formatted(repo.errors()),
            "dup_ids/b.json: /vector_id: duplicate vector id \"same\"; dup_ids/a.json defines it "
            "too\n");
  ASSERT_NE(repo.find("same"), nullptr);
  EXPECT_EQ(repo.find("same")->name, "From a");
}

TEST(Repository, InvalidFilesContributeErrorsNotVectors) {
  InFixtures here;
  const VectorRepository repo = VectorRepository::load("invalid");
  EXPECT_FALSE(repo.ok());
  EXPECT_TRUE(repo.list().empty());
  EXPECT_GE(repo.errors().size(), 29u);
}

TEST(Repository, MissingDirectory) {
  const VectorRepository repo = VectorRepository::load("/no/such/dir");
  EXPECT_EQ(formatted(repo.errors()), "/no/such/dir: no such directory\n");
}

}  // namespace
}  // namespace lp::vectors
