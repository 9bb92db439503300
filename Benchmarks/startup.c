// Start-up: a trivial C program (links libpthread like every other
// benchmark, does nothing). Run 100 times with and without the preload to
// measure the cost dept adds to every process of a test suite.
//
// usage: startup
int main(void) { return 0; }
