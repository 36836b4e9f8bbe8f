/**
 * Operator threads of the face networks. They are small (SCRFD-500M ~0.5 GFLOP at 640, the recognizer a
 * MobileFaceNet): split over threads, each operator's share is too small to pay for the hand-offs, and one
 * thread gave identical outputs faster (detector + recognizer 39 ms vs 101 ms with all cores, 2-core machine).
 */
export const FACE_NET_THREADS = 1;
