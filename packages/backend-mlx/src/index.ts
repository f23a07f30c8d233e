/** The registry id of the MLX backend. */
export const MLX_BACKEND_ID = 'mlx';
