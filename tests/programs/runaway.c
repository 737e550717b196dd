// A loop that never ends: the step budget stops it, with exit status 3.
int main(void)
{
    for (;;)
        ;
}
