package ocr

import (
	"errors"
	"os"
	"syscall"
)

// EnsureThreadLimit re-executes the running program with OMP_THREAD_LIMIT=1
// added to its environment when the variable is unset, and returns only
// when it was already set or the re-execution failed.
//
// Tesseract's OpenMP runtime reads the variable once, when the library is
// loaded, before any Go code runs, so setting it with os.Setenv is too
// late. Left unset, every recognition starts a team of threads that fight
// the other engines for the cores and run four to six times slower.
// Programs that use a Pool call this first thing in main, and test binaries
// in TestMain.
func EnsureThreadLimit() error {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	err = syscall.Exec(self, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
	return errors.Join(errors.New("re-execute with OMP_THREAD_LIMIT=1"), err)
}
