// The one exception the store throws: a SQLite failure that ends the run (open, migration, I/O).
#pragma once

#include <stdexcept>

namespace pmx {

// Thrown when the database cannot be opened or migrated, is newer than this build, or when
// SQLite fails underneath a call (disk full, I/O error, corruption, lock held past the busy
// timeout). Expected outcomes (a row that is not there, a record that is rejected) are values.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace pmx
