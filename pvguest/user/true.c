/* true: exits with 0 (fork+exec benchmarks run it). */
int main(void)
{
    return 0;
}
