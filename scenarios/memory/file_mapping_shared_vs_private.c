//! title: Does a child's write to a mapped file reach the file?
//! tags: memory, mmap, fork, files, MAP_SHARED
//! summary: Through MAP_SHARED, yes: the mapping is the file's page in the page
//!   cache, shared by parent, child and read(). Through MAP_PRIVATE, no: the first
//!   write copies the page, and the copy belongs to the writer alone.
//! file: /tmp/shared.txt "hello\n"
//! file: /tmp/private.txt "hello\n"
//! output: |
//!   child: shared map "Jello", private map "Jello"
//!   parent: shared map "Jello", private map "hello"
//!   parent: shared.txt holds "Jello", private.txt holds "hello"
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "forklab.h"

int main(void)
{
    int sfd = open("/tmp/shared.txt", O_RDWR);
    int pfd = open("/tmp/private.txt", O_RDWR);
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
    char *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, pfd, 0);
    EXPECT(shared != MAP_FAILED && private != MAP_FAILED);
    EXPECT(private[0] == 'h'); /* this read maps private.txt's page from the page cache */
    long cache_frame = forklab_frame(private);

    if (fork() == 0) {
        shared[0] = 'J';
        private[0] = 'J';
        NOTE("The write to private.txt's page copied it into a frame of the child's own; "
             "the write to shared.txt's page went into the page cache, which the file is made of.");
        EXPECT(forklab_frame(private) != cache_frame);
        EXPECT(forklab_refcount(private) == 1);
        printf("child: shared map \"%.5s\", private map \"%.5s\"\n", shared, private);
        return 0;
    }
    wait(NULL);
    NOTE("The parent's private mapping still shows the file's own page; "
         "its shared mapping shows the child's J.");
    EXPECT(forklab_frame(private) == cache_frame);
    printf("parent: shared map \"%.5s\", private map \"%.5s\"\n", shared, private);

    char sbuf[8] = "", pbuf[8] = "";
    read(sfd, sbuf, 5);
    read(pfd, pbuf, 5);
    NOTE("read() goes through the same page cache: shared.txt changed, private.txt did not.");
    printf("parent: shared.txt holds \"%s\", private.txt holds \"%s\"\n", sbuf, pbuf);
    return 0;
}
