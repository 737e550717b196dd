//! title: Does a child inherit its parent's parent-death signal?
//! tags: lifecycle, prctl, fork
//! summary: PR_SET_PDEATHSIG is about one parent-child link, so fork does not copy
//!   it: the new child starts with no parent-death signal (fork(2) lists this among
//!   the attributes that are reset). Each process must ask for it itself.
//! output: |
//!   parent: my parent-death signal is 9
//!   child: my parent-death signal is 0
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int pdeathsig(void)
{
    int sig = -1;
    prctl(PR_GET_PDEATHSIG, &sig);
    return sig;
}

int main(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    printf("parent: my parent-death signal is %d\n", pdeathsig());
    fflush(stdout);
    if (fork() == 0) {
        NOTE("The child got a copy of almost everything, but not the parent-death signal: it is reset to 0.");
        EXPECT(pdeathsig() == 0);
        printf("child: my parent-death signal is %d\n", pdeathsig());
        return 0;
    }
    wait(NULL);
    return 0;
}
