// A missing semicolon: forklab must say where, as gcc does, and exit with status 2.
int main(void)
{
    int x = 1
    return x;
}
