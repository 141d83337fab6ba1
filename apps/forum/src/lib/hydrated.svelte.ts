import { onMount } from 'svelte';

/**
 * Whether the component has hydrated. Buttons that act through JavaScript stay disabled until
 * then, so an early click (or a fast browser test) is not lost and a form is never submitted
 * natively with its password in the URL.
 */
export function useHydrated(): { readonly current: boolean } {
  let hydrated = $state(false);
  onMount(() => {
    hydrated = true;
  });
  return {
    get current() {
      return hydrated;
    },
  };
}
