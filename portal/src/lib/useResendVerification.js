// useResendVerification sends the signed-in customer a new email
// verification link: state is idle | sending | sent, error a message.
import { ref } from 'vue'
import { pb } from './pb.js'
import { session } from './session.js'
import { errorMessage } from './format.js'

export function useResendVerification() {
  const state = ref('idle')
  const error = ref('')

  async function resend() {
    state.value = 'sending'
    error.value = ''
    try {
      await pb.collection('customers').requestVerification(session.customer.email)
      state.value = 'sent'
    } catch (err) {
      error.value = errorMessage(err)
      state.value = 'idle'
    }
  }

  return { state, error, resend }
}
