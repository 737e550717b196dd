//! title: Metadata with a misspelt key
//! tags: bad
//! shed: child-first
int main(void)
{
    return 0;
}
