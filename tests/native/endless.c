//! title: A loop that never ends
//! summary: The model stops it at its step budget, the host at verify's time limit.
int main(void)
{
    volatile int x = 0;
    for (;;)
        x++;
}
